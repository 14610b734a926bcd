/// Why one record of a capture cannot be read; the reader adds the place (file and line) and
/// either stops (`--on-error fail`) or quarantines the record (`--on-error skip`).
struct CaptureProblem: Error, Sendable {
    var problem: String
    var fix: String

    init(_ problem: String, fix: String = "") {
        self.problem = problem
        self.fix = fix
    }
}
