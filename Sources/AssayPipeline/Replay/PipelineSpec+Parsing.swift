internal import Yams

extension PipelineSpec {
    /// Largest spec file read, in bytes. A spec is a few hundred bytes; anything near this is a
    /// mistake or an attack.
    public static let maximumBytes = 1 << 20
    /// Most detectors in one pipeline.
    public static let maximumDetectors = 256

    /// Parses a spec file's bytes (UTF-8 YAML, one document, a mapping at the top).
    ///
    /// Every error names the file, the line and column and the key path, says what is wrong and
    /// what to do: `spec.yaml: line 7, column 5, detectors[1].window: unknown key 'sise'. Valid
    /// keys: size, duration, mode, step, by.` Hostile input (bytes that are not UTF-8, huge
    /// files, deep nesting, alias bombs, a list at the top) gets an error, never a crash.
    ///
    /// - Parameter file: how errors name the file (`spec.yaml`).
    public static func parse(yaml bytes: [UInt8], file: String = "spec.yaml") throws(PipelineError) -> PipelineSpec {
        guard bytes.count <= maximumBytes else {
            throw PipelineError.invalidInput(
                place: file, problem: "the spec is \(bytes.count) bytes, more than the \(maximumBytes) a spec may have",
                fix: "Check that this is a pipeline spec; a spec names artifacts and never holds data")
        }
        var content = bytes[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        let text = try decodeUTF8(content, file: file)
        return try parse(yaml: text, file: file)
    }

    /// Parses a spec from text, as the byte-based `parse(yaml:file:)` does after decoding UTF-8.
    public static func parse(yaml text: String, file: String = "spec.yaml") throws(PipelineError) -> PipelineSpec {
        guard text.utf8.count <= maximumBytes else {
            throw PipelineError.invalidInput(
                place: file, problem: "the spec is \(text.utf8.count) bytes, more than the \(maximumBytes) a spec may have",
                fix: "Check that this is a pipeline spec; a spec names artifacts and never holds data")
        }
        let root: Node?
        do {
            root = try Parser(yaml: text, resolver: .basic).singleRoot()
        } catch {
            throw yamlError(error, file: file)
        }
        guard let root else {
            throw PipelineError.invalidInput(
                place: file, problem: "the spec is empty",
                fix: "Write a spec such as `version: 1`, `model: recorded`, `window: {size: 1000}`, `detectors: [...]` (see the PipelineSpec article)")
        }
        return try Reader(file: file).spec(root)
    }

    /// Decodes UTF-8, naming the line and byte offset of the first invalid byte.
    static func decodeUTF8(_ bytes: ArraySlice<UInt8>, file: String) throws(PipelineError) -> String {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var line = 1
        var scalars = String.UnicodeScalarView()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar == "\n" { line += 1 }
                scalars.append(scalar)
                offset += encoded.count
            case .emptyInput:
                return String(scalars)
            case .error:
                throw PipelineError.invalidInput(
                    place: "\(file): line \(line), byte \(offset)", problem: "the spec is not UTF-8 text",
                    fix: "Save the spec as UTF-8")
            }
        }
    }

    /// Turns a Yams error into one naming the line.
    static func yamlError(_ error: any Error, file: String) -> PipelineError {
        guard let yaml = error as? YamlError else {
            return .invalidInput(place: file, problem: "cannot read the YAML (\(error))", fix: "Check the spec's syntax")
        }
        func located(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> PipelineError {
            let what = context.map { "\($0.text): \(problem)" } ?? problem
            return .invalidInput(
                place: "\(file): line \(mark.line), column \(mark.column)", problem: "invalid YAML, \(what)",
                fix: "Fix the YAML syntax there")
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return located(context, problem, mark)
        case .reader(let problem, let offset, _, _):
            return .invalidInput(
                place: offset.map { "\(file): byte \($0)" } ?? file, problem: "invalid YAML, \(problem)",
                fix: "Remove control characters; a spec is plain UTF-8 text")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .invalidInput(
                place: "\(file): line \(context.mark.line), column \(context.mark.column)",
                problem: "duplicate key \(keys) in one mapping", fix: "Give each key once")
        default:
            return .invalidInput(place: file, problem: "cannot read the YAML (\(yaml))", fix: "Check the spec's syntax")
        }
    }
}
