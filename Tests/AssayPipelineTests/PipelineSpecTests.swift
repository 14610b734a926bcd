import AssayStore
import Foundation
import Testing

@testable import AssayPipeline

@Suite struct PipelineSpecTests {
    static let minimal = """
        version: 1
        model: recorded
        window:
          size: 100

        """

    /// Parses `text`, expecting an error; returns its description.
    func failure(_ text: String, file: String = "spec.yaml") -> String {
        do {
            let spec = try PipelineSpec.parse(yaml: text, file: file)
            Issue.record("expected an error, parsed \(spec)")
            return ""
        } catch {
            return error.description
        }
    }

    func failure(bytes: [UInt8]) -> String {
        do {
            let spec = try PipelineSpec.parse(yaml: bytes)
            Issue.record("expected an error, parsed \(spec)")
            return ""
        } catch {
            return error.description
        }
    }

    // MARK: Happy paths

    @Test func minimalSpec() throws {
        let spec = try PipelineSpec.parse(yaml: Self.minimal)
        #expect(spec.version == 1)
        #expect(spec.model == .recorded)
        #expect(spec.detectors.isEmpty)
        #expect(spec.window == WindowSpec(tumbling: .count(100)))
        #expect(spec.window.mode == .tumbling)
        #expect(spec.seed == 0)
    }

    @Test func fullSpec() throws {
        let spec = try PipelineSpec.parse(yaml: """
            version: 1
            model: https://models.example.com/v2/models/digits
            seed: 18446744073709551615
            window: {duration: 1h30m, mode: sliding, step: 30m, by: time}
            detectors:
              - name: b
                detector: sha256:abcd
                input: a.output
              - name: a
                detector: detector:ks
                input: outputs
                window: {size: 10, mode: sliding, step: 5, by: count}
              - name: c
                detector: 0123
            """)
        #expect(spec.model == .remote("https://models.example.com/v2/models/digits"))
        #expect(spec.seed == UInt64.max)
        #expect(spec.window == WindowSpec(sliding: .milliseconds(5_400_000), step: .milliseconds(1_800_000)))
        #expect(spec.detectors.map(\.name) == ["b", "a", "c"])
        #expect(spec.detectors[0].input == .component("a"))
        #expect(spec.detectors[1].input == .outputs)
        #expect(spec.detectors[1].window == WindowSpec(sliding: .count(10), step: .count(5)))
        #expect(spec.detectors[2].input == .inputs)
        #expect(spec.detectors[2].detector == "0123")
        #expect(spec.executionOrder.map(\.name) == ["a", "c", "b"])
    }

    @Test(arguments: [("250ms", Int64(250)), ("30s", 30_000), ("10m", 600_000), ("1h", 3_600_000), ("1d", 86_400_000), ("1h30m", 5_400_000)])
    func durations(text: String, ms: Int64) throws {
        let spec = try PipelineSpec.parse(yaml: "version: 1\nmodel: m\nwindow: {duration: \(text)}\n")
        #expect(spec.window == WindowSpec(tumbling: .milliseconds(ms)))
        #expect(spec.window.isByTime)
    }

    @Test func modelReferences() throws {
        #expect(try PipelineSpec.parse(yaml: "version: 1\nmodel: model:digits@v2\nwindow: {size: 1}").model == .artifact("model:digits@v2"))
        #expect(try PipelineSpec.parse(yaml: "version: 1\nmodel: sha256:ab12\nwindow: {size: 1}").model == .artifact("sha256:ab12"))
    }

    /// The example in the PipelineSpec article parses, and its canonical form is the one shown
    /// there (first detector).
    @Test func articleExampleParses() throws {
        let article = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/AssayPipeline/AssayPipeline.docc/PipelineSpec.md")
        let text = try String(contentsOf: article, encoding: .utf8)
        let parts = text.components(separatedBy: "```yaml\n")
        try #require(parts.count >= 2)
        let yaml = try #require(parts[1].components(separatedBy: "```").first)
        let spec = try PipelineSpec.parse(yaml: yaml)
        #expect(spec.seed == 42)
        #expect(spec.detectors.count == 4)
        #expect(spec.detectors[3].input == .component("outliers"))
        #expect(spec.detectors[2].window == WindowSpec(sliding: .milliseconds(600_000), step: .milliseconds(300_000)))
        let canonical = try spec.canonicalJSON.canonicalString
        #expect(canonical.hasPrefix(#"{"detectors":[{"detector":"detector:cifar10-ks","input":"inputs","name":"features-drift","window":null}"#))
        #expect(canonical.hasSuffix(#""model":{"recorded":true},"seed":42,"version":1,"window":{"by":"count","mode":"tumbling","size":1000,"step":1000}}"#))
    }

    // MARK: Canonical form

    @Test func canonicalFormIgnoresKeyOrderStyleAndComments() throws {
        let a = try PipelineSpec.parse(yaml: """
            version: 1
            model: recorded
            seed: 7
            window:
              size: 100
              mode: sliding
              step: 50
            detectors:
              - name: drift
                detector: detector:ks
                input: outputs
              - name: chained
                detector: detector:x
                input: drift.output
                window: {duration: 60s}
            """)
        let b = try PipelineSpec.parse(yaml: """
            # the same pipeline, written differently
            detectors:
              - {input: outputs, detector: detector:ks, name: drift}   # drift on predictions
              - window:
                  duration: 1m
                name: chained
                input: drift.output
                detector: detector:x
            window: {step: 50, by: count, mode: sliding, size: 100}
            seed: 7
            model: recorded
            version: 1
            """)
        #expect(a == b)
        #expect(try a.canonicalJSON.canonicalBytes() == b.canonicalJSON.canonicalBytes())
        #expect(try a.canonicalJSON.canonicalString == #"{"detectors":[{"detector":"detector:ks","input":"outputs","name":"drift","window":null},{"detector":"detector:x","input":"drift.output","name":"chained","window":{"by":"time","mode":"tumbling","size":60000,"step":60000}}],"model":{"recorded":true},"seed":7,"version":1,"window":{"by":"count","mode":"sliding","size":100,"step":50}}"#)
        let c = try PipelineSpec.parse(yaml: Self.minimal.replacingOccurrences(of: "100", with: "101"))
        #expect(try c.canonicalJSON.canonicalBytes() != a.canonicalJSON.canonicalBytes())
    }

    // MARK: Errors, each with its line

    /// Metrics and max_outlier_rate parse, appear in the canonical form only when given (older
    /// specs keep their digests), and read back from it.
    @Test func metricsAndOutlierRatesRoundTrip() throws {
        let text = """
            version: 1
            model: recorded
            window: {size: 100}
            detectors:
              - {name: o, detector: detector:vae, max_outlier_rate: 0.05}
              - {name: d, detector: detector:ks, input: o.output}
            metrics:
              - name: quality
                type: multiclass-onehot
                alert_below: {accuracy: 0.9, macro_f1: 0.8}
              - {name: positive, type: binary, positive: 3, alert_below: {recall: 0.5}}
              - {name: err, type: regression, alert_above: {rmse: 2.5}, window: {size: 50}}
              - {name: labels, type: kl, reference: [5, 3, 2], alert_above: {kl: 0.1}}
            """
        let spec = try PipelineSpec.parse(yaml: text)
        #expect(spec.detectors[0].maxOutlierRate == 0.05)
        #expect(spec.detectors[1].maxOutlierRate == nil)
        #expect(spec.metrics.map(\.kind) == [.multiclass, .binary, .regression, .kl])
        #expect(spec.metrics[0].alertBelow == ["accuracy": 0.9, "macro_f1": 0.8])
        #expect(spec.metrics[1].positive == 3)
        #expect(spec.metrics[3].reference == [5, 3, 2])
        let canonical = spec.canonicalJSON
        let text2 = try canonical.canonicalString
        #expect(text2.contains(#""max_outlier_rate":0.05"#))
        #expect(text2.contains(#""metrics":[{"alert_above":{},"alert_below":{"accuracy":0.9,"macro_f1":0.8},"name":"quality","positive":null,"reference":null,"type":"multiclass","window":null}"#), "\(text2)")
        let back = try PipelineSpec(canonical: canonical, place: "test")
        #expect(back == spec)
        // A spec without the new keys has exactly the canonical form it always had.
        let old = try PipelineSpec.parse(yaml: "version: 1\nmodel: recorded\nwindow: {size: 5}\ndetectors:\n  - {name: a, detector: d}\n")
        #expect(try old.canonicalJSON.canonicalString == #"{"detectors":[{"detector":"d","input":"inputs","name":"a","window":null}],"model":{"recorded":true},"seed":0,"version":1,"window":{"by":"count","mode":"tumbling","size":5,"step":5}}"#)
    }

    @Test(arguments: [
        ("metrics:\n  - {name: q, type: accuracy}\n", "unknown metric type 'accuracy'"),
        ("metrics:\n  - {name: q, type: binary, alert_below: {rmse: 1}}\n", "unknown key 'rmse'"),
        ("metrics:\n  - {name: q, type: binary, alert_below: {f1: high}}\n", "expected a bound"),
        ("metrics:\n  - {name: q, type: kl}\n", "needs 'reference'"),
        ("metrics:\n  - {name: q, type: kl, reference: [-1, 2]}\n", "is negative"),
        ("metrics:\n  - {name: q, type: kl, reference: [0, 0]}\n", "sums to zero"),
        ("metrics:\n  - {name: q, type: multiclass, positive: 1}\n", "'positive' applies to binary metrics only"),
        ("metrics:\n  - {name: q, type: binary, reference: [1]}\n", "'reference' applies to kl metrics only"),
        ("metrics:\n  - {type: binary}\n", "missing 'name'"),
        ("metrics: {name: q}\n", "expected a list of metrics"),
        ("detectors:\n  - {name: q, detector: d}\nmetrics:\n  - {name: q, type: binary}\n", "already taken"),
        ("detectors:\n  - {name: q, detector: d, max_outlier_rate: 1}\n", "is not in [0, 1)"),
        ("detectors:\n  - {name: q, detector: d, max_outlier_rate: lots}\n", "expected a fraction"),
    ])
    func badMetricsAndRates(tail: String, fragment: String) {
        let text = "version: 1\nmodel: recorded\nwindow: {size: 5}\n" + tail
        #expect(throws: PipelineError.self) { try PipelineSpec.parse(yaml: text) }
        do { _ = try PipelineSpec.parse(yaml: text) } catch { #expect("\(error)".contains(fragment), "\(error)") }
    }

    @Test func unknownKeyNamesLineAndPath() {
        let message = failure("""
            version: 1
            model: recorded
            window: {size: 5}
            detectors:
              - name: a
                detector: d:a
              - name: b
                detector: d:b
                window:
                  sise: 10
            """)
        #expect(message == "spec.yaml: line 10, column 7, detectors[1].window: unknown key 'sise'. Valid keys: size, duration, mode, step, by.")
    }

    @Test(arguments: [
        // (spec, expected start of the message, expected part of the message)
        ("version: 1\nmodel: recorded\nwindow: {size: 5}\nextra: 1\n", "spec.yaml: line 4, column 1:", "unknown key 'extra'. Valid keys: version, model, detectors, metrics, window, seed."),
        ("version: 1\nmodel: recorded\nwindow: {size: 5}\nmodel: x\n", "spec.yaml: line 2, column 1:", "duplicate key 'model' in one mapping"),
        ("model: recorded\nwindow: {size: 5}\n", "spec.yaml: line 1, column 1:", "missing 'version'. Add `version: 1`"),
        ("version: 2\nmodel: recorded\nwindow: {size: 5}\n", "spec.yaml: line 1, column 10, version:", "unsupported version"),
        ("version: '1'\nmodel: recorded\nwindow: {size: 5}\n", "spec.yaml: line 1, column 10, version:", "expected a version number, found '1'"),
        ("version: 1\nwindow: {size: 5}\n", "spec.yaml: line 1, column 1:", "missing 'model'"),
        ("version: 1\nmodel: [a]\nwindow: {size: 5}\n", "spec.yaml: line 2, column 8, model:", "found a list"),
        ("version: 1\nmodel: ftp://x/y\nwindow: {size: 5}\n", "spec.yaml: line 2, column 8, model:", "is not an http:// or https:// URL"),
        ("version: 1\nmodel: 'a b'\nwindow: {size: 5}\n", "spec.yaml: line 2, column 8, model:", "is not an artifact reference"),
        ("version: 1\nmodel: m\n", "spec.yaml: line 1, column 1:", "missing 'window'"),
        ("version: 1\nmodel: m\nwindow: 5\n", "spec.yaml: line 3, column 9, window:", "expected a window, found '5'"),
        ("version: 1\nmodel: m\nwindow: {}\n", "spec.yaml: line 3, column 9, window:", "missing 'size' or 'duration'"),
        ("version: 1\nmodel: m\nwindow:\n  size: 0\n", "spec.yaml: line 4, column 9, window.size:", "between 1 and"),
        ("version: 1\nmodel: m\nwindow:\n  size: -3\n", "spec.yaml: line 4, column 9, window.size:", "between 1 and"),
        ("version: 1\nmodel: m\nwindow:\n  size: ten\n", "spec.yaml: line 4, column 9, window.size:", "expected a number of events, found 'ten'"),
        ("version: 1\nmodel: m\nwindow:\n  size: 99999999999999999999999\n", "spec.yaml: line 4, column 9, window.size:", "too large"),
        ("version: 1\nmodel: m\nwindow:\n  size: 5\n  duration: 1m\n", "spec.yaml: line 5, column 13, window.duration:", "not both"),
        ("version: 1\nmodel: m\nwindow:\n  duration: 10x\n", "spec.yaml: line 4, column 13, window.duration:", "expected a duration, found '10x'"),
        ("version: 1\nmodel: m\nwindow:\n  duration: 0s\n", "spec.yaml: line 4, column 13, window.duration:", "longer than zero"),
        ("version: 1\nmodel: m\nwindow:\n  duration: 30\n", "spec.yaml: line 4, column 13, window.duration:", "expected a duration"),
        ("version: 1\nmodel: m\nwindow:\n  duration: 99999999999d\n", "spec.yaml: line 4, column 13, window.duration:", "longer than 100 years"),
        ("version: 1\nmodel: m\nwindow:\n  size: 5\n  mode: hopping\n", "spec.yaml: line 5, column 9, window.mode:", "unknown mode 'hopping'"),
        ("version: 1\nmodel: m\nwindow:\n  size: 5\n  step: 2\n", "spec.yaml: line 5, column 9, window.step:", "'step' applies to sliding windows only"),
        ("version: 1\nmodel: m\nwindow:\n  size: 5\n  mode: sliding\n", "spec.yaml: line 4, column 3, window:", "a sliding window needs 'step'"),
        ("version: 1\nmodel: m\nwindow:\n  size: 5\n  mode: sliding\n  step: 6\n", "spec.yaml: line 6, column 9, window.step:", "larger than the window"),
        ("version: 1\nmodel: m\nwindow:\n  duration: 1m\n  mode: sliding\n  step: 2m\n", "spec.yaml: line 6, column 9, window.step:", "larger than the window"),
        ("version: 1\nmodel: m\nwindow:\n  duration: 1m\n  mode: sliding\n  step: 5\n", "spec.yaml: line 6, column 9, window.step:", "expected a duration"),
        ("version: 1\nmodel: m\nwindow:\n  size: 5\n  by: time\n", "spec.yaml: line 5, column 7, window.by:", "'by: time' needs 'duration'"),
        ("version: 1\nmodel: m\nwindow:\n  size: 5\n  by: weekly\n", "spec.yaml: line 5, column 7, window.by:", "unknown basis"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\nseed: -1\n", "spec.yaml: line 4, column 7, seed:", "not negative"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\nseed: 1.5\n", "spec.yaml: line 4, column 7, seed:", "expected a seed"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\nseed: 18446744073709551616\n", "spec.yaml: line 4, column 7, seed:", "too large"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors: {name: a}\n", "spec.yaml: line 4, column 12, detectors:", "expected a list of detectors, found a mapping"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - just-a-string\n", "spec.yaml: line 5, column 5, detectors[0]:", "expected a detector, found 'just-a-string'"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - detector: d\n", "spec.yaml: line 5, column 5, detectors[0]:", "missing 'name'"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a\n", "spec.yaml: line 5, column 5, detectors[0]:", "missing 'detector'"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a b\n    detector: d\n", "spec.yaml: line 5, column 11, detectors[0].name:", "is not a valid name"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a\n    detector: d\n    params: {}\n", "spec.yaml: line 7, column 5, detectors[0]:", "unknown key 'params'. Valid keys: name, detector, input, window, max_outlier_rate."),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a\n    detector: d\n  - name: a\n    detector: e\n", "spec.yaml: line 7, column 11, detectors[1].name:", "duplicate detector name 'a' (first on line 5)"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a\n    detector: d\n    input: features\n", "spec.yaml: line 7, column 12, detectors[0].input:", "unknown input 'features'"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a\n    detector: d\n    input: zz.output\n", "spec.yaml: line 7, column 12, detectors[0].input:", "no detector is named 'zz'"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a\n    detector: d\n    input: a.output\n", "spec.yaml: line 7, column 12, detectors[0].input:", "cycle: a → a"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a\n    detector: d\n    input: b.output\n  - name: b\n    detector: d\n    input: c.output\n  - name: c\n    detector: d\n    input: a.output\n", "spec.yaml: line 7, column 12, detectors[0].input:", "cycle: a → b → c → a"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\ndetectors:\n  - name: a\n    detector: d\n    window: {size: 1, sise: 2}\n", "spec.yaml: line 7, column 23, detectors[0].window:", "unknown key 'sise'"),
        ("version: 1\nmodel: m\nwindow: {size: 5}\n[a]: 1\n", "spec.yaml: line 4, column 1:", "expected a key, found a list"),
        ("- version: 1\n- model: m\n", "spec.yaml: line 1, column 1:", "at the top level, found a list"),
        ("just text\n", "spec.yaml: line 1, column 1:", "at the top level, found 'just text'"),
        ("version: 1\nmodel: [unclosed\n", "spec.yaml: line 3, column 1:", "invalid YAML"),
        ("version: 1\n  model: m\n", "spec.yaml: line 2, column 8:", "invalid YAML"),
        ("version: 1\nmodel: *nowhere\n", "spec.yaml: line 2, column 8:", "invalid YAML, found undefined alias"),
        ("version: 1\n---\nversion: 1\n", "spec.yaml: line 2, column 1:", "invalid YAML"),
    ])
    func errorNamesLine(spec: String, prefix: String, fragment: String) {
        let message = failure(spec)
        #expect(message.hasPrefix(prefix), "\(message)")
        #expect(message.contains(fragment), "\(message)")
    }

    // MARK: Hostile input

    @Test func emptyFiles() {
        #expect(failure("") == "spec.yaml: the spec is empty. Write a spec such as `version: 1`, `model: recorded`, `window: {size: 1000}`, `detectors: [...]` (see the PipelineSpec article)")
        #expect(failure("# only a comment\n\n").contains("the spec is empty"))
        #expect(failure(bytes: []).contains("the spec is empty"))
    }

    @Test func notUTF8() {
        let bytes = Array("version: 1\nmodel: ".utf8) + [0xFF, 0xFE] + Array("\nwindow: {size: 1}\n".utf8)
        #expect(failure(bytes: bytes) == "spec.yaml: line 2, byte 18: the spec is not UTF-8 text. Save the spec as UTF-8")
        #expect(failure(bytes: [0xC3]).contains("not UTF-8"))
    }

    @Test func byteOrderMarkIsAccepted() throws {
        let spec = try PipelineSpec.parse(yaml: [0xEF, 0xBB, 0xBF] + Array(Self.minimal.utf8))
        #expect(spec.window == WindowSpec(tumbling: .count(100)))
    }

    @Test func controlCharacters() {
        #expect(failure(bytes: Array("version: 1\nmodel: a\u{0}b\n".utf8)).contains("invalid YAML"))
    }

    @Test func hugeDocument() {
        let big = Self.minimal + "# " + String(repeating: "x", count: PipelineSpec.maximumBytes) + "\n"
        #expect(failure(big).contains("more than the 1048576 a spec may have"))
        #expect(failure(bytes: Array(big.utf8)).contains("more than the 1048576 a spec may have"))
    }

    @Test func deepNesting() {
        let flow = "version: 1\nmodel: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        #expect(failure(flow).contains("invalid YAML"))
        let block = (0..<1_200).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        #expect(failure(block).hasPrefix("spec.yaml: line "))
        let shallowButDeep = "version: 1\nmodel: m\nwindow: {size: 1}\ndetectors: " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "\n"
        #expect(failure(shallowButDeep).contains("detectors[0]: expected a detector, found a list"))
    }

    @Test func aliasBomb() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<20 {
            yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(failure(yaml).contains("unknown key 'a0'"))
        let asDetectors = "version: 1\nmodel: m\nwindow: {size: 1}\nbomb: &b [" + Array(repeating: "{name: x, detector: d}", count: 10).joined(separator: ", ") + "]\n"
            + "detectors: *b\n"
        #expect(failure(asDetectors).contains("unknown key 'bomb'"))
        var nested = "version: 1\nmodel: m\nwindow: {size: 1}\ndetectors: &d0 [{name: x, detector: d}]\n"
        nested += "seed: &s [" + Array(repeating: "*d0", count: 1000).joined(separator: ", ") + "]\n"
        #expect(failure(nested).contains("seed: expected a seed"))
        var many = "version: 1\nmodel: m\nwindow: {size: 1}\n"
        many += "detectors: [" + (0...PipelineSpec.maximumDetectors).map { "{name: d\($0), detector: x}" }.joined(separator: ", ") + "]\n"
        #expect(failure(many).contains("more than the 256 a pipeline may have"))
    }

    @Test func fileNameInErrors() {
        #expect(failure("x: 1\n", file: "pipelines/drift.yaml").hasPrefix("pipelines/drift.yaml: line 1, column 1:"))
    }
}
