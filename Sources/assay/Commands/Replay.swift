import ArgumentParser
import AssayPipeline
import AssayStore
import Foundation

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a traffic capture through a pipeline: the model and its detectors, window by window.",
        discussion: """
            SPEC.yaml names the model (an ONNX model artifact, an http(s) Open Inference Protocol \
            endpoint, or `recorded` for the outputs in the capture), the detectors and what each \
            watches, the windows and the seed (see the pipeline spec article). The replay is one \
            recorded run whose inputs are the spec, the capture, the model and the detectors; each \
            window's results are artifacts, and each detector that fires raises an alert pointing \
            at its evidence (the window's rows, the detector, parameters, seed, digests). Same \
            spec, capture and seed: same bytes, on any machine and thread count.

            Prints a summary (windows and alerts per detector, time, events/s); with --json one \
            object with the run, the replay document, windows, alerts and timings.

            Examples:
              assay replay pipeline.yaml --capture capture:prod-2024-05-01
              assay replay pipeline.yaml --capture 3fa9c2 --seed 7 --json
              assay replay pipeline.yaml --capture capture:prod --truth feedback.csv
              assay alerts --replay RUN
              assay metrics RUN --format prometheus
            """)

    @Argument(help: "The pipeline spec (YAML).")
    var spec: String

    @Option(help: "The capture to replay: id, unique prefix or name.")
    var capture: String

    @Option(help: ArgumentHelp("Ground truth joined by request id, for the spec's metrics: a file (request_id,truth CSV or JSON lines) or an artifact.", valueName: "file"))
    var truth: String?

    @Option(help: "Seed of the replay (default: the spec's `seed`).")
    var seed: UInt64?

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let progress = Progress("replay", enabled: options.showsProgress)
        let started = Date()
        let captureTotal = (try? ws.resolveArtifact(capture)).flatMap { id in
            FileHandle(forReadingAtPath: ws.blobs.path(for: id)).flatMap { f in
                defer { try? f.close() }
                return (try? f.read(upToCount: 1 << 16)).flatMap { Replay.eventCount([UInt8]($0)) }
            }
        }
        var truthID: String?
        if let truth {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: truth, isDirectory: &isDirectory), !isDirectory.boolValue {
                truthID = try ws.add(fileAt: truth, kind: "truth").artifact.id.rawValue
            } else {
                truthID = truth
            }
        }
        let r = try ReplayOperations.replay(in: ws, specFile: spec, capture: capture, truth: truthID, seed: seed) { n in
            progress.update(count: n, total: captureTotal, unit: "events", started: started)
        }
        progress.finish()
        let perSecond = r.seconds > 0 ? Double(r.events) / r.seconds : 0
        let components = r.plan.components.map { c -> (String, String, Int, Int) in
            (c.name, c.kind, r.windows[c.series].count, r.alerts.filter { $0.component == c.name }.count)
        } + r.plan.metrics.map { m -> (String, String, Int, Int) in
            (m.name, "metric." + m.step.kind.rawValue, r.windows[m.series].count, r.alerts.filter { $0.component == m.name }.count)
        }
        if options.json {
            let doc: JSONValue = .object([
                "run": .string(r.run.id.rawValue), "replay": .string(r.summary.rawValue), "spec": .string(r.spec.rawValue),
                "capture": .string(r.plan.capture.rawValue), "model": r.plan.model.id.map { .string($0.rawValue) } ?? .null,
                "seed": JSONValue(r.plan.seed), "events": JSONValue(r.events), "rows": JSONValue(r.rows),
                "windows": JSONValue(r.windows.reduce(0) { $0 + $1.count }),
                "components": .array(components.map { .object(["name": .string($0.0), "kind": .string($0.1), "windows": JSONValue($0.2), "alerts": JSONValue($0.3)]) }),
                "alerts": .array(r.alerts.map { a in
                    .object(["id": .string(a.id.rawValue), "component": .string(a.component), "window": JSONValue(a.windowIndex),
                             "p_value": a.pValue.map { JSONValue($0) } ?? .null, "statistic": a.statistic.map { JSONValue($0) } ?? .null,
                             "threshold": a.threshold.map { JSONValue($0) } ?? .null])
                }),
                "truth": r.truth,
                "seconds": JSONValue((r.seconds * 1000).rounded() / 1000),
                "events_per_second": JSONValue(perSecond.rounded()),
            ])
            Output.bytes(try doc.canonicalBytes() + [0x0a])
            return
        }
        Output.line("replay \(r.run.id): \(r.events) events (\(r.rows) rows) of \(r.plan.capture.short), seed \(r.plan.seed)")
        Output.line("")
        Output.line(Output.pad("detector", 24) + Output.pad("kind", 20) + Output.pad("windows", 9) + "alerts")
        for (name, kind, windows, alerts) in components {
            Output.line(Output.pad(name, 24) + Output.pad(kind, 20) + Output.pad(String(windows), 9) + String(alerts))
        }
        if components.isEmpty { Output.line("(no detectors; \(r.windows.first?.count ?? 0) windows)") }
        Output.line("")
        if let t = r.truth.objectValue {
            let unmatched = t["unmatched"]?.intValue ?? 0
            Output.line("truth: \(t["matched"]?.intValue ?? 0) of \(t["entries"]?.intValue ?? 0) entries joined to the traffic"
                        + (unmatched > 0 ? "; \(unmatched) request id\(unmatched == 1 ? "" : "s") not in the capture (e.g. \((t["unmatched_examples"]?.arrayValue ?? []).prefix(3).compactMap(\.stringValue).joined(separator: ", ")))" : "")
                        + ((t["duplicates"]?.intValue ?? 0) > 0 ? "; \(t["duplicates"]!.intValue!) duplicate ids (last kept)" : ""))
        }
        Output.line(String(format: "%d alert%@ in %.2f s (%.0f events/s)", r.alerts.count, r.alerts.count == 1 ? "" : "s", r.seconds, perSecond))
        Output.line("replay document: \(r.summary.rawValue)")
        if !r.alerts.isEmpty { Output.line("list them: assay alerts --replay \(r.run.id)") }
        Output.flush()
    }

    /// The `events` count of a capture's header line.
    static func eventCount(_ head: [UInt8]) -> Int? {
        guard let end = head.firstIndex(of: 0x0a), let header = try? JSONValue.parse(Array(head[..<end])) else { return nil }
        return header["events"]?.intValue
    }
}
