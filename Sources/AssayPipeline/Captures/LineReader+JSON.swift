import AssayStore

extension LineReader {
    /// A non-blank line read as a JSON object, or why it is not one.
    enum JSONObjectLine {
        case object(line: Int, raw: [UInt8], members: [String: JSONValue])
        case bad(line: Int, raw: [UInt8], problem: CaptureProblem)
    }

    /// The next non-blank line as a JSON object; `expected` names what each line must be
    /// ("a JSON object", "a V2 request or response object"). Nil at the end of the file.
    func nextJSONObject(expected: String) throws(PipelineError) -> JSONObjectLine? {
        while let slice = try next() {
            let text = Array(slice)
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let line = lineNumber
            let json: JSONValue
            do { json = try JSONValue.parse(text) } catch {
                let truncated = lastLineWasUnterminated ? " (the last line has no line break: the file may be truncated)" : ""
                return .bad(line: line, raw: text, problem: CaptureProblem("not valid JSON: \(error.message)\(truncated)", fix: "Each line must be \(expected)."))
            }
            guard case .object(let members) = json else {
                return .bad(line: line, raw: text, problem: CaptureProblem("the line is \(CapturePayload.kind(json)), not \(expected)"))
            }
            return .object(line: line, raw: text, members: members)
        }
        return nil
    }
}
