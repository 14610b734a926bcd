import ArgumentParser
import AssayStore
import Foundation

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the workspace: every blob against its id, every lineage reference and name.",
        discussion: """
            Exit code 0 when clean, 1 when damage is found. --repair removes temporary files left \
            by interrupted writes, and nothing else: never user data.

            Examples:
              assay fsck
              assay fsck --repair
              assay fsck --json
            """)

    @Flag(help: "Remove orphan temporary files (the only repair fsck makes).")
    var repair = false

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let root = try Workspace.locateRoot(explicit: options.workspace)
        let report = try Workspace.fsck(root: root, repair: repair)
        if options.json {
            try Output.json(report)
        } else {
            for f in report.problems { Output.line("damage  \(f.code)  \(f.subject): \(f.detail)") }
            for f in report.notes { Output.line("note    \(f.code)  \(f.subject): \(f.detail)") }
            for p in report.repaired { Output.line("removed \(p)") }
            Output.line("checked \(report.artifactsChecked) artifacts, \(report.blobsChecked) blobs, \(report.runsChecked) runs, \(report.namesChecked) names: "
                        + (report.isClean ? "clean" : "\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")"))
        }
        Output.flush()
        if !report.isClean { throw CommandExit(code: 1) }
    }

}
