import ArgumentParser
import AssayPipeline
import AssayStore
import Foundation

struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the alerts raised by replays.",
        discussion: """
            One line per alert: its id, the replay run, the detector (its name in the spec and \
            kind), the window (index and events), the statistic, the p-value and the threshold it \
            was compared with. For per-feature tests these are the figures of the feature with the \
            smallest p-value. An outlier alert shows the window's outlier rate against the \
            component's max_outlier_rate; a metric alert the figure (accuracy, rmse, kl, …) against \
            its bound. Newest replay first.

            Examples:
              assay alerts
              assay alerts --replay 20240501T120000Z-3f9a --json
              assay reproduce ALERT
            """)

    @Option(help: "Only the alerts of this replay run.")
    var replay: String?

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let run = try replay.map { ref throws in
            let id = try ws.resolveRun(ref)
            guard let info = try ws.run(id), info.operation == ReplayOperations.replayOperation.name else {
                throw PipelineError.invalidInput(place: ref, problem: "is not a replay run", fix: "Pass a run made by `assay replay` (see `assay log`).")
            }
            return id
        }
        let alerts = try ws.alerts(run: run)
        if options.json {
            try Output.json(["alerts": alerts])
            return
        }
        if alerts.isEmpty {
            Output.line(run == nil ? "no alerts" : "no alerts in replay \(run!)")
            Output.flush()
            return
        }
        func number(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "-" }
        let width = max(26, (alerts.map { $0.component.count + $0.detectorKind.count + 4 }.max() ?? 0))
        Output.line(Output.pad("alert", 21) + Output.pad("replay", 38) + Output.pad("detector", width) + Output.pad("window", 20)
                    + Output.pad("statistic", 12) + Output.pad("p-value", 12) + "threshold")
        for a in alerts {
            let window = "\(a.windowIndex) [\(a.firstEvent),\(a.endEvent))"
            Output.line(Output.pad(a.id.short, 21) + Output.pad(a.run.rawValue, 38) + Output.pad("\(a.component) (\(a.detectorKind))", width)
                        + Output.pad(window, 20) + Output.pad(number(a.statistic), 12) + Output.pad(number(a.pValue), 12) + number(a.threshold))
        }
        Output.line("\(alerts.count) alert\(alerts.count == 1 ? "" : "s")")
        Output.flush()
    }
}
