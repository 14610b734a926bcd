import ArgumentParser
import AssayPipeline
import AssayStore
import Foundation

struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute an alert or a replay from the lineage and the store alone, and compare every digest.",
        discussion: """
            Rebuilds the exact inputs (spec, capture, model, detectors, seed) recorded for the \
            replay, checks that the stored bytes of every input and output still hash to their \
            ids and that the lineage's parameters match the spec and the alert, recomputes, and \
            prints "reproduced bit-for-bit" with the digests, or each difference: which input, \
            parameter, operation version or output, with both digests. An alert recomputes its \
            window; a replay run recomputes all its windows.

            Exit code 0 when identical, 1 when something differs.

            Examples:
              assay reproduce 5c1e0a9b            (an alert, from `assay alerts`)
              assay reproduce 20240501T120000Z-3f9a --json
            """)

    @Argument(help: "An alert (id or unique prefix) or a replay run.")
    var subject: String

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let progress = Progress("reproduce", enabled: options.showsProgress)
        let started = Date()
        let report = try Reproduction.reproduce(subject, in: ws) { n in
            progress.update(count: n, total: nil, unit: "events", started: started)
        }
        progress.finish()
        if options.json {
            try Output.json(report)
        } else {
            let what = report.subject == report.run ? "replay \(report.run)" : "alert \(report.subject) (replay \(report.run))"
            if report.identical {
                Output.line("reproduced bit-for-bit: \(what)")
                for c in report.checks { Output.line("  \(Output.pad(c.subject, 44)) \(c.digest)") }
            } else {
                Output.line("NOT reproduced: \(what): \(report.differences.count) difference\(report.differences.count == 1 ? "" : "s")")
                for d in report.differences {
                    Output.line("  \(d.kind): \(d.subject)")
                    Output.line("    recorded:   \(d.recorded)")
                    Output.line("    recomputed: \(d.recomputed)")
                    if let detail = d.detail { Output.line("    \(detail)") }
                }
            }
        }
        Output.flush()
        if !report.identical { throw CommandExit(code: 1) }
    }
}
