import AssayStore
import Foundation

/// Reads Seldon Core v1 request-logger and KServe payload-logger CloudEvents from a file, in
/// either layout (told apart by the first non-blank byte):
///
/// - **Structured mode** (`{` first): JSON Lines, one CloudEvent per line, attributes as members
///   (`specversion`, `type`, `id`, `time`, `requestid`, `modelid`, …) and the payload in `data`
///   (a JSON value, or a string holding JSON) or `data_base64`.
/// - **Binary mode as a sink stores it**: records like HTTP messages. Each record is an optional
///   request line (`POST / HTTP/1.1`), header lines `Name: value` (the `Ce-*` attributes and
///   `Content-Type`), a blank line, then the body: exactly `Content-Length` bytes when that header
///   is present, otherwise the lines up to the next blank line. Blank lines separate records.
///   Header names are case-insensitive; the prefix `ce-` (or `ce_`) is dropped, so Seldon's
///   Kafka record headers (`type`, `requestid`, `modelid`, no prefix) read the same. Values
///   wrapped in double quotes (2020 KFServing) are unquoted, and `ce-inferenceservice` is read as
///   `inferenceservicename`.
///
/// Each event becomes a request, response or feedback half keyed for joining: Seldon by
/// (`requestid`, `modelid`) — never `id`, which is fresh per event — and KServe by `id`, which
/// its request and response share.
final class CloudEventSource {
    enum Flavor: Sendable { case seldon, kserve }

    private let reader: LineReader
    private let flavor: Flavor
    private var structured: Bool?
    private var pendingLine: (text: [UInt8], number: Int)?

    init(path: String, flavor: Flavor) throws(PipelineError) {
        reader = try LineReader(path: path)
        self.flavor = flavor
    }

    func next() throws(PipelineError) -> CaptureSourceItem? {
        // Skip blank lines; the first non-blank one decides the layout.
        var first: (text: [UInt8], number: Int)
        if let pending = pendingLine {
            first = pending
            pendingLine = nil
        } else {
            repeat {
                guard let line = try reader.next() else { return nil }
                first = (Array(line), reader.lineNumber)
            } while isBlank(first.text)
        }
        if structured == nil {
            let firstByte = first.text.first { $0 != 0x20 && $0 != 0x09 }
            structured = firstByte == UInt8(ascii: "{")
        }
        if structured == true {
            return item(structured: first.text, line: first.number)
        }
        return try binaryRecord(startingWith: first)
    }

    private func isBlank(_ line: [UInt8]) -> Bool { line.allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    // MARK: Structured mode

    private func item(structured text: [UInt8], line: Int) -> CaptureSourceItem {
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch {
            let truncated = reader.lastLineWasUnterminated ? " (the last line has no line break: the file may be truncated)" : ""
            return .bad(line: line, raw: text, problem: CaptureProblem("not valid JSON: \(error.message)\(truncated)",
                                                                         fix: "Each line must be one CloudEvent in JSON (structured mode)."))
        }
        guard case .object(var members) = json else {
            return .bad(line: line, raw: text, problem: CaptureProblem("the line is \(CapturePayload.kind(json)), not a CloudEvent object"))
        }
        var body: JSONValue?
        if let encoded = members.removeValue(forKey: "data_base64") {
            guard let s = encoded.stringValue, let bytes = Data(base64Encoded: s) else {
                return .bad(line: line, raw: text, problem: CaptureProblem("data_base64 is not base64"))
            }
            do { body = try JSONValue.parse(bytes) } catch {
                return .bad(line: line, raw: text, problem: CaptureProblem("data_base64 does not hold JSON: \(error.message)"))
            }
        }
        if let data = members.removeValue(forKey: "data") {
            if case .string(let s) = data, let parsed = try? JSONValue.parse(s), parsed.objectValue != nil {
                body = parsed
            } else {
                body = data
            }
        }
        var attributes: [String: String] = [:]
        for (k, v) in members {
            attributes[normalizedName(k)] = v.stringValue ?? v.description
        }
        return event(attributes: attributes, body: body, line: line, raw: text)
    }

    // MARK: Binary mode

    private func binaryRecord(startingWith first: (text: [UInt8], number: Int)) throws(PipelineError) -> CaptureSourceItem? {
        var raw = first.text
        var attributes: [String: String] = [:]
        var current: [UInt8]? = first.text
        let start = first.number
        var sawHeader = false
        // Header lines up to a blank line.
        while let line = current {
            if isBlank(line) { break }
            if !sawHeader, attributes.isEmpty, isRequestLine(line) {
                // `POST / HTTP/1.1`: not an attribute.
            } else {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
                    let name = String(validating: line[..<colon], as: UTF8.self),
                    name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }),
                    let value = String(validating: line[(colon + 1)...], as: UTF8.self)
                else {
                    let problem = raw.contains(0) || String(validating: raw, as: UTF8.self) == nil
                        ? CaptureProblem("binary data, not a header line `Name: value`", fix: "Pass a CloudEvents log: JSON Lines (structured mode) or header lines, a blank line and the body (binary mode).")
                        : CaptureProblem("expected a header line `Name: value`, found \(String(decoding: line.prefix(60), as: UTF8.self))",
                                         fix: "A binary-mode record is header lines, a blank line, then the body.")
                    try skipRecord(&raw)
                    return .bad(line: reader.lineNumber == start ? start : start, raw: raw, problem: problem)
                }
                attributes[normalizedName(name)] = unquoted(value.trimmingCharacters(in: .whitespaces))
                sawHeader = true
            }
            current = try reader.next().map(Array.init)
            if let c = current { raw += [0x0a] + c }
        }
        guard current != nil else {
            return .bad(line: start, raw: raw, problem: CaptureProblem("the record ends without a blank line and a body (the file may be truncated)",
                                                                       fix: "A binary-mode record is header lines, a blank line, then the body."))
        }
        // The body.
        var body: [UInt8] = []
        if let lengthText = attributes["content-length"] {
            guard let length = Int(lengthText), length >= 0, length <= LineReader.maximumLineLength else {
                try skipRecord(&raw)
                return .bad(line: start, raw: raw, problem: CaptureProblem("Content-Length \(lengthText) is not a size"))
            }
            var firstBodyLine = true
            while body.count < length {
                guard let line = try reader.next() else {
                    return .bad(line: start, raw: raw + body, problem: CaptureProblem("the body has \(body.count) of its \(length) bytes (Content-Length): the file is truncated"))
                }
                if !firstBodyLine { body.append(0x0a) }
                body += line
                firstBodyLine = false
            }
            raw += [0x0a] + body
            guard body.count == length else {
                return .bad(line: start, raw: raw, problem: CaptureProblem("the body has \(body.count) bytes, Content-Length says \(length)"))
            }
        } else {
            var bodyLines = 0
            while let line = try reader.next() {
                if isBlank(Array(line)) { break }
                if bodyLines > 0 { body.append(0x0a) }
                body += line
                bodyLines += 1
            }
            raw += [0x0a] + body
        }
        attributes.removeValue(forKey: "content-length")
        guard !body.isEmpty else {
            return .bad(line: start, raw: raw, problem: CaptureProblem("the record has no body"))
        }
        let json: JSONValue
        do { json = try JSONValue.parse(body) } catch {
            let truncated = reader.lastLineWasUnterminated ? " (the last line has no line break: the file may be truncated)" : ""
            return .bad(line: start, raw: raw, problem: CaptureProblem("the body is not valid JSON: \(error.message)\(truncated)"))
        }
        return event(attributes: attributes, body: json, line: start, raw: raw)
    }

    /// Reads to the end of a bad record (the next blank line), adding what it skips to `raw`.
    private func skipRecord(_ raw: inout [UInt8]) throws(PipelineError) {
        while let line = try reader.next() {
            if isBlank(Array(line)) { return }
            raw += [0x0a] + line
        }
    }

    private func isRequestLine(_ line: [UInt8]) -> Bool {
        let text = String(decoding: line, as: UTF8.self)
        return text.contains(" HTTP/") && !text.contains(":") || text.hasPrefix("POST ") && text.contains(" HTTP/")
    }

    private func normalizedName(_ name: String) -> String {
        var n = name.lowercased()
        if n.hasPrefix("ce-") || n.hasPrefix("ce_") { n.removeFirst(3) }
        if n == "inferenceservice" { n = "inferenceservicename" }
        if n == "datacontenttype" { n = "content-type" }
        return n
    }

    private func unquoted(_ value: String) -> String {
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { return String(value.dropFirst().dropLast()) }
        return value
    }

    // MARK: Events

    private func event(attributes: [String: String], body: JSONValue?, line: Int, raw: [UInt8]) -> CaptureSourceItem {
        guard let type = attributes["type"] else {
            return .bad(line: line, raw: raw, problem: CaptureProblem("the event has no type (Ce-Type)", fix: "Pass events from the Seldon request logger or the KServe payload logger."))
        }
        let isSeldon = type.hasPrefix("io.seldon.")
        let isKServe = type.hasPrefix("org.kubeflow.serving.") || type.hasPrefix("io.kserve.")
        switch flavor {
        case .seldon where isKServe:
            return .bad(line: line, raw: raw, problem: CaptureProblem("the event type \(type) is a KServe event", fix: "Import KServe logs with --format kserve."))
        case .kserve where isSeldon:
            return .bad(line: line, raw: raw, problem: CaptureProblem("the event type \(type) is a Seldon event", fix: "Import Seldon logs with --format seldon."))
        default:
            break
        }
        let half: CaptureEvent.Status
        switch type {
        case "io.seldon.serving.inference.request", "org.kubeflow.serving.inference.request": half = .requestOnly
        case "io.seldon.serving.inference.response", "org.kubeflow.serving.inference.response": half = .responseOnly
        case "io.seldon.serving.feedback": half = .truthOnly
        default:
            if isSeldon || isKServe { return .ignored(type: type) }
            return .bad(line: line, raw: raw, problem: CaptureProblem("unknown event type \(type)",
                                                                      fix: "Pass events of type io.seldon.serving.inference.request|response, io.seldon.serving.feedback or org.kubeflow.serving.inference.request|response."))
        }
        guard let body else {
            return .bad(line: line, raw: raw, problem: CaptureProblem("the \(type) event has no data"))
        }
        var e = CaptureEvent(status: half)
        let time = attributes["time"].flatMap(CaptureTimestamp.init(parsing:))
        if let t = attributes["time"], time == nil {
            return .bad(line: line, raw: raw, problem: CaptureProblem("the time \(t) is not an RFC 3339 timestamp"))
        }
        switch flavor {
        case .seldon:
            e.requestID = attributes["requestid"]
            e.model = attributes["modelid"]
        case .kserve:
            e.requestID = attributes["id"]
        }
        do throws(CaptureProblem) {
            if half == .truthOnly {
                guard case .object(let feedback) = body else { throw CaptureProblem("the feedback is not an object") }
                if let truth = feedback["truth"], !truth.isNull {
                    e.truth = try CapturePayload.decode(truth).tensors
                }
                if let reward = feedback["reward"], !reward.isNull {
                    guard let r = reward.doubleValue, r.isFinite else { throw CaptureProblem("the feedback reward is not a number") }
                    e.reward = .double(r)
                }
                e.puid = feedback["response"]?["meta"]?["puid"]?.stringValue ?? feedback["request"]?["meta"]?["puid"]?.stringValue
                e.truthLine = line
                e.timestamp = time
                return .event(e)
            }
            let payload = try CapturePayload.decode(body)
            e.puid = payload.puid
            if half == .requestOnly {
                e.inputs = payload.tensors
                e.requestMeta = payload.meta
                e.requestAttributes = attributes
                e.requestLine = line
                e.timestamp = time
            } else {
                e.outputs = payload.tensors
                e.responseMeta = payload.meta
                e.responseAttributes = attributes
                e.responseLine = line
                e.responseTimestamp = time
            }
            switch flavor {
            case .seldon:
                if let node = e.model, let image = payload.meta?["meta"]?["requestPath"]?[node]?.stringValue { e.modelVersion = image }
            case .kserve:
                e.model = payload.modelName ?? attributes["inferenceservicename"]
                e.modelVersion = payload.modelVersion
            }
        } catch {
            return .bad(line: line, raw: raw, problem: error)
        }
        return .event(e)
    }
}
