/// What a capture reader yields: a half or whole event, a record it could not read, or one it
/// skips by design.
enum CaptureSourceItem: Sendable {
    /// A request, response or feedback half (status `request_only`, `response_only`,
    /// `truth_only`) or a whole row (`row`, or any status when re-reading a capture).
    case event(CaptureEvent)
    /// A record that cannot be read: its first line, its raw bytes, and why.
    case bad(line: Int, raw: [UInt8], problem: CaptureProblem)
    /// A well-formed record of a kind a capture does not hold (a Seldon outlier or drift
    /// event, say), counted by type.
    case ignored(type: String)
}
