import AssayCrypto
import AssayDetectors
import AssayModels
import AssayNumerics
import AssayStore

/// Streams a capture through a ``ReplayPlan``: reads events in capture order, cuts windows, runs
/// the model in chunks of events, runs each component on each of its windows, and hands every
/// document it makes to `emit` (which stores it, or only hashes it when reproducing).
///
/// Memory holds the events of the windows still open plus one model chunk, whatever the
/// capture's length. The model runs on fixed chunks of ``chunkSize`` events aligned on the
/// event index, so an event's outputs never depend on how the capture is windowed, and a
/// reproduction of one window computes exactly what the replay computed.
final class ReplayEngine {
    /// Events per model call.
    static let chunkSize = 256

    struct AlertDraft {
        var record: AlertRecord
    }

    struct Outcome {
        /// Window documents per series, by window index.
        var windows: [[ArtifactID]]
        var alerts: [AlertRecord]
        var events: Int
        var rows: Int
        /// How the truth joined the traffic: entries, duplicates, matched, and the request ids
        /// that never appeared in the capture (kept and reported, never dropped silently).
        var truth: JSONValue = .null
    }

    let plan: ReplayPlan
    let workspace: Workspace
    let emit: (_ bytes: [UInt8], _ role: String, _ kind: String) throws -> ArtifactID
    /// Stop once this window of this series is done (reproducing one alert).
    var stopAfter: (series: Int, window: Int)?
    /// Called with the number of events read, now and then.
    var progress: ((Int) -> Void)?

    /// Times of the model calls, CPU, memory: recorded beside the run, never hashed.
    var measurement = RunMeasurement()
    /// The outlier detectors' states, carried from window to window (Mahalanobis learns online).
    var outlierStates: [String: AnyOutlierDetector] = [:]
    /// Request ids of the truth that met an event of the capture.
    var matchedTruth = Set<String>()
    private var buffer: [ReplayEvent] = []
    private var bufferBase = 0
    private var outputsDone = 0
    private var runner: ModelRunner?
    private var width: Int?
    private var outcome: Outcome
    private var finished = false
    private let specID: ArtifactID
    /// The replay run the alerts belong to (the one being recorded, or reproduced).
    private let runID: RunID

    init(plan: ReplayPlan, specID: ArtifactID, runID: RunID, workspace: Workspace,
         emit: @escaping (_ bytes: [UInt8], _ role: String, _ kind: String) throws -> ArtifactID) {
        self.plan = plan
        self.specID = specID
        self.runID = runID
        self.workspace = workspace
        self.emit = emit
        self.outcome = Outcome(windows: Array(repeating: [], count: plan.series.count), alerts: [], events: 0, rows: 0)
        for c in plan.components { if case .outlier(let d) = c.built { outlierStates[c.name] = d } }
    }

    /// An outlier detector's part of a window document: threshold, count and rate of outliers,
    /// the largest and mean scores, the ten highest-scoring rows (with their events and request
    /// ids), digests of the rows scored and of the scores, and whether the rate is above the
    /// component's `max_outlier_rate`.
    func outlierDocument(_ c: ReplayPlan.Component, result: OutlierResult, events: [ReplayEvent], rows: ArtifactID, scores: ArtifactID) -> JSONValue {
        let n = result.instanceScore.count
        var eventOfRow: [Int] = []
        eventOfRow.reserveCapacity(n)
        for (k, e) in events.enumerated() { for _ in 0..<e.rows { eventOfRow.append(k) } }
        let order = result.instanceScore.indices.sorted { a, b in
            let x = result.instanceScore[a], y = result.instanceScore[b]
            return x > y || (x == y && a < b)
        }
        var sum = 0.0
        for v in result.instanceScore { sum += v }
        let outliers = result.isOutlier.reduce(0, +)
        let rate = result.outlierRate
        return .object([
            "detector": .string(c.detector.rawValue), "kind": .string(c.kind), "input": .string(c.input.text),
            "rows": .string(rows.rawValue), "scores": .string(scores.rawValue),
            "threshold": ReplayEngine.number(result.threshold),
            "outliers": JSONValue(outliers), "outlier_rate": ReplayEngine.number(rate),
            "max_outlier_rate": ReplayEngine.number(c.maxOutlierRate),
            "max_score": ReplayEngine.number(order.first.map { result.instanceScore[$0] }),
            "mean_score": ReplayEngine.number(n > 0 ? sum / Double(n) : nil),
            "top": .array(order.prefix(10).map { r in
                let e = events[eventOfRow.indices.contains(r) ? eventOfRow[r] : 0]
                return .object(["row": JSONValue(r), "event": JSONValue(e.index), "request_id": e.requestID.map(JSONValue.string) ?? .null,
                                "score": ReplayEngine.number(result.instanceScore[r]), "is_outlier": JSONValue(result.isOutlier[r])])
            }),
            "alert": .bool(rate > (c.maxOutlierRate ?? PipelineSpec.DetectorStep.defaultMaxOutlierRate)),
        ])
    }

    private struct Stop: Error {}

    private var computesOutputs: Bool {
        if case .recorded = plan.model { return false }
        return true
    }

    func run() throws -> Outcome {
        if case .model(let r) = plan.model { runner = r }
        var cutters = try plan.series.map { (w: WindowSpec) throws(PipelineError) in try WindowCutter(spec: w) }
        var pending: [(series: Int, window: CaptureWindow)] = []
        let recorded = { if case .recorded = plan.model { return plan.needsOutputs } else { return false } }()
        var count = 0
        do {
            try ReplayEngine.readEvents(of: plan.capture, in: workspace, recorded: recorded) { e in
                try checkWidth(e)
                buffer.append(e)
                count += 1
                outcome.rows += e.rows
                for s in cutters.indices {
                    do {
                        for w in try cutters[s].add(e.timestamp) { pending.append((s, w)) }
                    } catch {
                        guard let p = error as? PipelineError, case .invalidInput(place: _, problem: let problem, fix: let fix) = p else { throw error }
                        throw PipelineError.invalidInput(place: eventPlace(e), problem: problem, fix: fix)
                    }
                }
                if computesOutputs, count - outputsDone >= ReplayEngine.chunkSize { try computeOutputs(upTo: outputsDone + ReplayEngine.chunkSize) }
                try drain(&pending, ready: computesOutputs ? outputsDone : count)
                if finished { throw Stop() }
                var keep = min(pending.first?.window.events.lowerBound ?? count, computesOutputs ? outputsDone : count)
                for c in cutters { keep = min(keep, c.oldestNeeded) }
                release(below: keep)
                if count & 1023 == 0 { progress?(count) }
            }
        } catch is Stop {
            outcome.events = count
            return outcome
        }
        outcome.events = count
        measurement.events = count
        guard count > 0 else {
            throw PipelineError.invalidInput(place: plan.capture.short, problem: "the capture has no events", fix: "Replay a capture with traffic.")
        }
        for s in cutters.indices { if let w = cutters[s].finish() { pending.append((s, w)) } }
        if computesOutputs { try computeOutputs(upTo: count) }
        try drain(&pending, ready: count)
        progress?(count)
        if let truth = plan.truth {
            let unmatched = truth.table.values.keys.filter { !matchedTruth.contains($0) }.sorted()
            outcome.truth = .object([
                "artifact": .string(truth.id.rawValue),
                "entries": JSONValue(truth.table.entries), "duplicates": JSONValue(truth.table.duplicates),
                "matched": JSONValue(matchedTruth.count), "unmatched": JSONValue(unmatched.count),
                "unmatched_examples": .array(unmatched.prefix(10).map(JSONValue.string)),
            ])
        }
        return outcome
    }

    /// Lines scanned per batch; batches are cut by line count alone, never by thread count.
    static let scanBatch = 4096
    static let scanBlock = 512

    /// Calls `body` with every event of a stored capture, in order. Lines are read in batches
    /// and scanned in parallel by the fast scanner (each line on its own, so the result does
    /// not depend on the threads); lines it defers take the general JSON path, in order.
    static func readEvents(of capture: ArtifactID, in workspace: Workspace, recorded: Bool, _ body: (ReplayEvent) throws -> Void) throws {
        let reader = try LineReader(path: workspace.blobs.path(for: capture))
        guard let header = try reader.next(), (try? JSONValue.parse(header))?["format"]?.stringValue == "assay.capture.v1" else {
            throw PipelineError.invalidInput(place: capture.short, problem: "is not an assay.capture.v1 capture", fix: "Pass a capture made by assay capture import.")
        }
        var index = 0
        var done = false
        while !done {
            var bytes: [UInt8] = []
            var bounds: [Range<Int>] = []
            var numbers: [Int] = []
            while bounds.count < scanBatch, bytes.count < 64 << 20 {
                guard let line = try reader.next() else { done = true; break }
                let start = bytes.count
                bytes.append(contentsOf: line)
                bounds.append(start..<bytes.count)
                numbers.append(reader.lineNumber)
            }
            let batch = bytes
            let lineBounds = bounds
            let scanned = try DetectorOperations.pool.map(blocks: fixedBlocks(count: lineBounds.count, size: scanBlock)) { block in
                block.map { k in ReplayEventScanner.scan(batch[lineBounds[k]], recorded: recorded).map(ScannedEvent.init) }
            }.flatMap { $0 }
            for k in lineBounds.indices {
                let number = numbers[k]
                let event: ReplayEvent
                if let s = scanned[k] {
                    event = try ReplayEvent(index: index, line: number, requestID: s.requestID, timestamp: s.timestamp, capture: capture,
                                            inputs: s.inputs, outputs: s.outputs)
                } else {
                    guard let parsed = try? JSONValue.parse(batch[lineBounds[k]]), let e = CaptureEvent(json: parsed) else {
                        throw PipelineError.invalidInput(place: "\(capture.short): line \(number)", problem: "not a capture event", fix: "The capture is damaged; run assay fsck.")
                    }
                    event = try ReplayEvent(e, index: index, line: number, capture: capture, recorded: recorded)
                }
                try body(event)
                index += 1
            }
        }
    }

    struct ScannedEvent: Sendable {
        var requestID: String?
        var timestamp: CaptureTimestamp?
        var inputs: [NumericTensor]
        var outputs: [NumericTensor]?
        init(_ s: (requestID: String?, timestamp: CaptureTimestamp?, inputs: [NumericTensor], outputs: [NumericTensor]?)) {
            (requestID, timestamp, inputs, outputs) = s
        }
    }

    private func eventPlace(_ e: ReplayEvent) -> String {
        "\(plan.capture.short): line \(e.line) (event \(e.index)\(e.requestID.map { ", request \($0)" } ?? ""))"
    }

    private func checkWidth(_ e: ReplayEvent) throws(PipelineError) {
        if let width, width != e.width {
            throw PipelineError.invalidInput(
                place: eventPlace(e),
                problem: "the event has \(e.width) features per row, earlier events have \(width) (mixed tensor shapes)",
                fix: "Replay events of one input signature: import each model's traffic as its own capture (`assay show` on the capture lists its signatures).")
        }
        width = e.width
    }

    private func release(below index: Int) {
        let drop = index - bufferBase
        guard drop > 0, drop >= 1024 || drop >= buffer.count / 2 else { return }
        buffer.removeFirst(drop)
        bufferBase = index
    }

    func event(_ i: Int) -> ReplayEvent { buffer[i - bufferBase] }

    /// Runs the model on events `outputsDone..<end`, in chunks aligned on the event index.
    private func computeOutputs(upTo end: Int) throws {
        while outputsDone < end {
            let lo = outputsDone
            let hi = min(lo - lo % ReplayEngine.chunkSize + ReplayEngine.chunkSize, end)
            var rows = 0
            var values: [Double] = []
            for i in lo..<hi { rows += event(i).rows; values.append(contentsOf: event(i).features) }
            let x = try Tensor(shape: [rows, width ?? 0], scalars: values)
            let out = try modelOutputs(x, firstEvent: lo)
            let w = out.rowWidth
            var offset = 0
            for i in lo..<hi {
                let n = buffer[i - bufferBase].rows
                buffer[i - bufferBase].outputs = (w, Array(out.scalars[(offset * w)..<((offset + n) * w)]))
                offset += n
            }
            outputsDone = hi
        }
    }

    private func modelOutputs(_ x: Tensor<Double>, firstEvent: Int) throws -> Tensor<Double> {
        guard let runner else { fatalError("recorded outputs are read from the capture") }
        return try measurement.timeCall {
            try runner.outputs(x, place: "\(plan.capture.short): events from \(firstEvent)", requestID: "\(plan.capture.short)-\(firstEvent)")
        }
    }

    private func drain(_ pending: inout [(series: Int, window: CaptureWindow)], ready: Int) throws {
        var i = 0
        while i < pending.count, !finished {
            let (s, w) = pending[i]
            guard w.events.upperBound <= ready else { i += 1; continue }
            pending.remove(at: i)
            try process(series: s, window: w)
            if let stop = stopAfter, stop.series == s, stop.window == w.index { finished = true }
        }
    }

    /// The window's description, as window and alert documents hold it.
    private func windowJSON(_ w: CaptureWindow, rows: Int) -> JSONValue {
        .object([
            "index": JSONValue(w.index),
            "first_event": JSONValue(w.events.lowerBound), "end_event": JSONValue(w.events.upperBound),
            "events": JSONValue(w.events.count), "rows": JSONValue(rows),
            "start": w.start.map { .string($0.description) } ?? .null,
            "end": w.end.map { .string($0.description) } ?? .null,
            "partial": .bool(w.partial),
            "first_request_id": event(w.events.lowerBound).requestID.map(JSONValue.string) ?? .null,
            "last_request_id": event(w.events.upperBound - 1).requestID.map(JSONValue.string) ?? .null,
        ])
    }

    private func process(series s: Int, window w: CaptureWindow) throws {
        let events = w.events.map(event)
        let rows = events.reduce(0) { $0 + $1.rows }
        var inputs: [Double] = []
        inputs.reserveCapacity(rows * (width ?? 0))
        for e in events { inputs.append(contentsOf: e.features) }
        let inputTensor = try Tensor(shape: [rows, width ?? 0], scalars: inputs)
        let inputBytes = NPYFormat.encode(inputTensor)
        let inputDigest = ArtifactID(digest: try SHA256.hash(inputBytes))

        var outputTensor: Tensor<Double>?
        var outputBytes: [UInt8]?
        if let first = events.first, let ow = (first.outputs ?? first.recorded)?.width {
            var values: [Double] = []
            values.reserveCapacity(rows * ow)
            for e in events {
                guard let o = e.outputs ?? e.recorded, o.width == ow else {
                    throw PipelineError.invalidInput(place: "\(plan.capture.short): line \(e.line)", problem: "the event's outputs have another width than the window's first event (\(ow))",
                                                     fix: "Replay events of one output signature.")
                }
                values.append(contentsOf: o.values)
            }
            outputTensor = try Tensor(shape: [rows, ow], scalars: values)
            outputBytes = NPYFormat.encode(outputTensor!)
        }
        var labelCounts: JSONValue = .null
        if let o = outputTensor, o.rowWidth >= 2 {
            var counts = [Int](repeating: 0, count: o.rowWidth)
            for r in 0..<o.rowCount {
                let row = o.row(r)
                var best = row.startIndex
                for j in row.indices where row[j] > row[best] { best = j }
                counts[best - row.startIndex] += 1
            }
            labelCounts = .array(counts.map { JSONValue($0) })
        }

        var componentDocs: [String: JSONValue] = [:]
        var drafts: [(ReplayPlan.Component, [UInt8], ArtifactID, DriftResult, JSONValue)] = []
        var outlierDrafts: [(component: ReplayPlan.Component, rows: [UInt8], digest: ArtifactID, scores: [UInt8], doc: JSONValue, rate: Double)] = []
        // Per-row outputs of this window's outlier detectors, for components that watch them.
        var rowOutputs: [String: (tensor: Tensor<Double>, bytes: [UInt8], digest: ArtifactID)] = [:]
        for c in plan.components where c.series == s {
            let x: Tensor<Double>
            let bytes: [UInt8]
            let digest: ArtifactID
            switch c.input {
            case .inputs:
                (x, bytes, digest) = (inputTensor, inputBytes, inputDigest)
            case .outputs:
                guard let outputTensor, let outputBytes else { fatalError("the plan computes outputs for these components") }
                (x, bytes, digest) = (outputTensor, outputBytes, ArtifactID(digest: try SHA256.hash(outputBytes)))
            case .component(let upstream):
                guard let out = rowOutputs[upstream] else { fatalError("the plan orders components after the ones they watch, on the same windows") }
                (x, bytes, digest) = out
            }
            if let (i, v) = x.firstNonFinite() {
                let width = max(x.rowWidth, 1)
                var row = i / width
                var culprit = events[0]
                for e in events { if row < e.rows { culprit = e; break }; row -= e.rows }
                throw PipelineError.invalidInput(
                    place: "\(plan.capture.short): line \(culprit.line) (event \(culprit.index)\(culprit.requestID.map { ", request \($0)" } ?? "")), \(c.input.text) column \(i % width + 1)",
                    problem: "is \(v); detector \(c.name) needs finite values",
                    fix: "Remove or impute missing values before importing the capture.")
            }
            var rng = SeededGenerator(seed: plan.seed).child("replay").child(c.name).child(String(w.index))
            if case .outlier = c.built {
                let result: OutlierResult
                do {
                    guard var detector = outlierStates[c.name] else { fatalError("every outlier component has a state") }
                    result = try detector.predict(x, rng: &rng, pool: DetectorOperations.pool)
                    outlierStates[c.name] = detector
                } catch {
                    throw PipelineError.detector(error, place: "detectors.\(c.name), window \(w.index)",
                                                 fix: "Check that the detector was fitted on data shaped like the capture's \(c.input.text).")
                }
                if let bad = result.instanceScore.firstIndex(where: { !$0.isFinite }) {
                    throw PipelineError.invalidInput(place: "detectors.\(c.name), window \(w.index), row \(bad)", problem: "the outlier score is \(result.instanceScore[bad])",
                                                     fix: "The detector met values it cannot score; check the scale of the capture's \(c.input.text) against the reference.")
                }
                let scores = try Tensor(shape: [result.instanceScore.count, 1], scalars: result.instanceScore)
                let scoreBytes = NPYFormat.encode(scores)
                let scoreDigest = ArtifactID(digest: try SHA256.hash(scoreBytes))
                rowOutputs[c.name] = (scores, scoreBytes, scoreDigest)
                let doc = outlierDocument(c, result: result, events: events, rows: digest, scores: scoreDigest)
                componentDocs[c.name] = doc
                if doc["alert"]?.boolValue == true { outlierDrafts.append((c, bytes, digest, scoreBytes, doc, result.outlierRate)) }
                continue
            }
            guard case .drift(let built) = c.built else { fatalError("drift or outlier") }
            let result: DriftResult
            do {
                let xp = try c.preprocessor?.transform(x, pool: DetectorOperations.pool) ?? x
                result = try built.detect(xp, rng: &rng)
            } catch {
                throw PipelineError.detector(error, place: "detectors.\(c.name), window \(w.index)",
                                             fix: "Check that the detector was fitted on data shaped like the capture's \(c.input.text).")
            }
            let data = try JSONValue.parse(try CanonicalJSON.encode(result))
            let alert = result.isDrift.any
            componentDocs[c.name] = .object([
                "detector": .string(c.detector.rawValue), "kind": .string(c.kind), "input": .string(c.input.text),
                "rows": .string(digest.rawValue), "data": data, "alert": .bool(alert),
            ])
            if alert { drafts.append((c, bytes, digest, result, data)) }
        }
        let (metricDocs, breaches) = try metricDocuments(series: s, window: w, events: events, outputs: outputTensor)
        for (name, doc) in metricDocs { componentDocs[name] = doc }
        let window = windowJSON(w, rows: rows)
        let windowDoc: JSONValue = .object([
            "format": .string("assay.replay-window.v1"),
            "capture": .string(plan.capture.rawValue),
            "series": JSONValue(s),
            "window": window,
            "inputs": .string(inputDigest.rawValue),
            "outputs": outputBytes.map { .string(ArtifactID(digest: try! SHA256.hash($0)).rawValue) } ?? .null,
            "label_counts": labelCounts,
            "components": .object(componentDocs),
        ])
        let windowID = try emit(try windowDoc.canonicalBytes(), "window", "replay-window")
        var list = outcome.windows[s]
        if list.count <= w.index { list.append(contentsOf: Array(repeating: windowID, count: w.index + 1 - list.count)) }
        list[w.index] = windowID
        outcome.windows[s] = list
        try raise(breaches, series: s, window: w, windowJSON: window, windowID: windowID)
        for d in outlierDrafts {
            let evidence = try emit(d.rows, "evidence", "matrix")
            precondition(evidence == d.digest, "evidence digest")
            let scores = try emit(d.scores, "scores", "matrix")
            var doc = alertFields(d.component, series: s, window: window, evidence: evidence, windowID: windowID)
            doc["scores"] = .string(scores.rawValue)
            doc["data"] = d.doc
            doc["outlier_rate"] = ReplayEngine.number(d.rate)
            doc["max_outlier_rate"] = ReplayEngine.number(d.component.maxOutlierRate)
            try recordAlert(doc, component: d.component.name, detector: d.component.detector, kind: d.component.kind, window: w,
                            figures: (d.rate, nil, d.component.maxOutlierRate), evidence: evidence, windowID: windowID)
        }

        for (c, bytes, digest, result, data) in drafts {
            let evidence = try emit(bytes, "evidence", "matrix")
            precondition(evidence == digest, "evidence digest")
            let figures = ReplayEngine.figures(result)
            var doc = alertFields(c, series: s, window: window, evidence: evidence, windowID: windowID)
            doc["data"] = data
            doc["statistic"] = ReplayEngine.number(figures.statistic)
            doc["p_value"] = ReplayEngine.number(figures.pValue)
            doc["threshold"] = ReplayEngine.number(figures.threshold)
            try recordAlert(doc, component: c.name, detector: c.detector, kind: c.kind, window: w, figures: figures, evidence: evidence, windowID: windowID)
        }
    }

    /// The fields every alert document has: where it comes from (spec, capture, model, seed),
    /// the window and the ids of its evidence and window document.
    func commonAlertFields(series s: Int, window: JSONValue, evidence: ArtifactID, windowID: ArtifactID) -> [String: JSONValue] {
        [
            "format": .string("assay.alert.v1"),
            "seed": JSONValue(plan.seed),
            "spec": .string(specID.rawValue),
            "capture": .string(plan.capture.rawValue),
            "model": plan.model.id.map { .string($0.rawValue) } ?? .null,
            "series": JSONValue(s),
            "window": window,
            "evidence": .string(evidence.rawValue),
            "result": .string(windowID.rawValue),
        ]
    }

    /// ``commonAlertFields(series:window:evidence:windowID:)`` and the detector's own.
    private func alertFields(_ c: ReplayPlan.Component, series s: Int, window: JSONValue, evidence: ArtifactID, windowID: ArtifactID) -> [String: JSONValue] {
        var doc = commonAlertFields(series: s, window: window, evidence: evidence, windowID: windowID)
        doc["component"] = .string(c.name)
        doc["detector"] = .string(c.detector.rawValue)
        doc["detector_kind"] = .string(c.kind)
        doc["detector_parameters"] = .object(c.parameters)
        doc["input"] = .string(c.input.text)
        return doc
    }

    /// Stores the alert document and adds its lineage row.
    private func recordAlert(_ doc: [String: JSONValue], component: String, detector: ArtifactID, kind: String, window w: CaptureWindow,
                             figures: (statistic: Double?, pValue: Double?, threshold: Double?), evidence: ArtifactID, windowID: ArtifactID) throws {
        let alertID = try emit(try JSONValue.object(doc).canonicalBytes(), "alert", "alert")
        outcome.alerts.append(AlertRecord(
            id: alertID, run: runID, component: component, detector: detector, detectorKind: kind,
            windowIndex: w.index, firstEvent: w.events.lowerBound, endEvent: w.events.upperBound,
            windowStart: w.start?.description, windowEnd: w.end?.description,
            statistic: figures.statistic, pValue: figures.pValue, threshold: figures.threshold, evidence: evidence, result: windowID))
    }

    /// Records an alert for each bound a metric broke in the window.
    private func raise(_ breaches: [MetricBreach], series s: Int, window w: CaptureWindow, windowJSON window: JSONValue, windowID: ArtifactID) throws {
        for b in breaches {
            let evidence = try emit(b.evidence, "evidence", "matrix")
            // The artifact the figure rests on: the truth, or for a label-distribution metric the spec.
            let basis = plan.truth.map(\.id) ?? specID
            let kind = "metric." + b.metric.step.kind.rawValue
            var doc = commonAlertFields(series: s, window: window, evidence: evidence, windowID: windowID)
            doc["component"] = .string(b.metric.name)
            doc["metric"] = .string(b.metric.step.kind.rawValue)
            doc["figure"] = .string(b.figure)
            doc["value"] = ReplayEngine.number(b.value)
            doc["bound"] = .double(b.bound)
            doc["direction"] = .string(b.direction)
            doc["truth"] = plan.truth.map { .string($0.id.rawValue) } ?? .null
            doc["data"] = b.data
            try recordAlert(doc, component: b.metric.name, detector: basis, kind: kind, window: w, figures: (b.value, nil, b.bound),
                            evidence: evidence, windowID: windowID)
        }
    }

    static func number(_ v: Double?) -> JSONValue {
        guard let v, v.isFinite else { return .null }
        return JSONValue(v)
    }

    /// The statistic, p-value and threshold an alert shows: for per-feature tests, those of the
    /// feature with the smallest p-value (the first of equals).
    static func figures(_ r: DriftResult) -> (statistic: Double?, pValue: Double?, threshold: Double?) {
        let threshold = r.threshold.number ?? r.threshold.array?.min()
        switch r.pVal {
        case .number(let p):
            return (r.distance.number ?? r.distance.array?.max(), p.isFinite ? p : nil, threshold)
        case .array(let ps):
            guard !ps.isEmpty else { return (nil, nil, threshold) }
            var k = 0
            for j in ps.indices where ps[j] < ps[k] { k = j }
            let d = r.distance.array.flatMap { k < $0.count ? $0[k] : nil } ?? r.distance.number
            return (d, ps[k].isFinite ? ps[k] : nil, r.threshold.array.flatMap { k < $0.count ? $0[k] : nil } ?? threshold)
        }
    }
}
