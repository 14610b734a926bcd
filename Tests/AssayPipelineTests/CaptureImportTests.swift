import Foundation
import Testing
@testable import AssayPipeline
import AssayStore
import _AssayTestSupport

/// `CaptureImport` on the committed logger fixtures and on bad input: joins, orphans,
/// duplicates, mixed shapes, truth, quarantine, determinism, spilled sorts.
@Suite struct CaptureImportTests {
    let dir: TemporaryDirectory
    let ws: Workspace

    init() throws {
        dir = try TemporaryDirectory()
        ws = try Workspace.initialize(at: dir.file("ws"))
    }

    func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/captures"))
        return url.path
    }

    /// The capture's header and events.
    func lines(_ id: ArtifactID?) throws -> (JSONValue, [JSONValue]) {
        let bytes = try ws.blobs.bytes(of: try #require(id))
        let lines = bytes.split(separator: 0x0a).map { try? JSONValue.parse($0) }
        return (try #require(lines.first ?? nil), lines.dropFirst().compactMap { $0 })
    }

    func importing(_ file: String, _ format: CaptureFormat, onError: CaptureErrorPolicy = .fail, budget: Int = 16 << 20, capture: ArtifactID? = nil) throws -> CaptureSummary {
        try CaptureImport.run(in: ws, file: file, options: .init(format: format, onError: onError, capture: capture, sortMemoryBudget: budget))
    }

    /// The message of the error `body` throws.
    func failure(_ body: () throws -> Void) -> String {
        do { try body() } catch { return String(describing: error) }
        return "no error"
    }

    @Test func seldonBinaryModeJoinsOnRequestIDAndModel() throws {
        let s = try importing(try fixture("seldon-binary.log"), .seldon)
        #expect(s.events == 3 && s.complete == 1 && s.requestsWithoutResponse == 1 && s.responsesWithoutRequest == 1)
        #expect(s.withTruth == 1 && s.duplicateRequests == 0)
        let (header, events) = try lines(s.capture)
        #expect(header["format"]?.stringValue == "assay.capture.v1")
        #expect(events.map { $0["request_id"]?.stringValue } == ["a1b2c3", "d4e5f6", "g7h8i9"])
        let first = events[0]
        #expect(first["status"]?.stringValue == "complete")
        #expect(first["puid"]?.stringValue == "client-7")
        #expect(first["model"]?.stringValue == "classifier")
        #expect(first["model_version"]?.stringValue == "seldonio/sklearn-iris:0.3")
        #expect(first["timestamp"]?.stringValue == "2024-05-01T12:00:00.12Z")
        #expect(first["inputs"]?[0]?["shape"] == [1, 4])
        #expect(first["inputs"]?[0]?["names"]?[0]?.stringValue == "sepal_length")
        #expect(first["outputs"]?[0]?["data"] == [0.97, 0.02, 0.01])
        #expect(first["truth"]?[0]?["data"] == [1, 0, 0])
        #expect(first["reward"] == 1)
        // Ce-Id differs between request and response; both are kept verbatim.
        #expect(first["attributes"]?["request"]?["id"] != first["attributes"]?["response"]?["id"])
        #expect(events[1]["status"]?.stringValue == "request_only")
        #expect(events[1]["inputs"]?[0]?["data"] == [6.2, 2.9, 4.3, 1.3])
        #expect(events[2]["status"]?.stringValue == "response_only")
        #expect(events[2]["timestamp"]?.stringValue == "2024-05-01T12:00:02.5Z")
    }

    @Test func seldonStructuredModeJoinsOutOfOrderHalvesAndIgnoresOtherTypes() throws {
        let s = try importing(try fixture("seldon-structured.jsonl"), .seldon)
        #expect(s.events == 2 && s.complete == 2)
        #expect(s.ignored == ["io.seldon.serving.inference.outlier": 1])
        #expect(s.mixedShapes)
        let (_, events) = try lines(s.capture)
        #expect(events[1]["inputs"]?[0]?["name"]?.stringValue == "instances")
        #expect(events[1]["inputs"]?[0]?["shape"] == [2, 4])
        #expect(events[1]["outputs"]?[0]?["shape"] == [2, 3])
    }

    @Test func kserveJoinsOnSharedCeIDAndFlattensNestedData() throws {
        let s = try importing(try fixture("kserve-binary.log"), .kserve)
        #expect(s.events == 2 && s.complete == 1 && s.requestsWithoutResponse == 1 && !s.mixedShapes)
        let (_, events) = try lines(s.capture)
        let e = events[0]
        #expect(e["model"]?.stringValue == "sklearn-iris" && e["model_version"]?.stringValue == "v1")
        #expect(e["timestamp"]?.stringValue == "2024-05-01T12:00:00.000123456Z")
        #expect(e["inputs"]?[0]?["datatype"]?.stringValue == "FP32")
        #expect(e["inputs"]?[0]?["data"] == [6.8, 2.8, 4.8, 1.4, 6, 3.4, 4.5, 1.6])
        #expect(e["outputs"]?[0]?["data"] == [1, 1])
        #expect(e["attributes"]?["request"]?["metadata"]?.stringValue == #"{"X-Request-Id":["9f0d7a3e"]}"#)
        #expect(events[1]["model"]?.stringValue == "sklearn-iris")
    }

    @Test func kfserving2020QuotedHeaders() throws {
        let s = try importing(try fixture("kserve-kfserving-2020.log"), .kserve)
        #expect(s.complete == 1)
        let (_, events) = try lines(s.capture)
        #expect(events[0]["request_id"]?.stringValue == "0e5d2a1b")
        #expect(events[0]["model"]?.stringValue == "iris")
    }

    @Test func formatMismatchNamesTheRightFormat() throws {
        let message = failure { _ = try importing(try fixture("kserve-binary.log"), .seldon) }
        #expect(message.contains("line 1") && message.contains("--format kserve"), "\(message)")
    }

    @Test func v2PairsOnIDAndKeepsParameters() throws {
        let s = try importing(try fixture("v2.jsonl"), .v2)
        #expect(s.complete == 2)
        let (_, events) = try lines(s.capture)
        #expect(events.map { $0["request_id"]?.stringValue } == ["r-1", "r-2"])
        #expect(events[0]["inputs"]?[0]?["data"] == [1, 2, 3])
        #expect(events[0]["meta"]?["request"]?["parameters"]?["content_type"]?.stringValue == "np")
        #expect(events[0]["outputs"]?[0]?["data"] == [3.25])
    }

    @Test func jsonlAndCSVRowsAgree() throws {
        let a = try lines(try importing(try fixture("rows.jsonl"), .jsonl).capture).1
        let b = try lines(try importing(try fixture("rows.csv"), .csv).capture).1
        func strip(_ e: JSONValue) -> JSONValue {
            guard case .object(var o) = e else { return e }
            o["lines"] = nil
            return .object(o)
        }
        #expect(a.map(strip) == b.map(strip))
        #expect(a.map { $0["request_id"]?.stringValue } == ["a", "b"])
        #expect(a[0]["timestamp"]?.stringValue == "2024-05-01T12:00:00Z")
        #expect(a[1]["truth"]?[0]?["data"] == [0])
    }

    @Test func npyRowsStream() throws {
        let s = try importing(try fixture("small.npy"), .npy)
        #expect(s.rows == 3)
        let (_, events) = try lines(s.capture)
        #expect(events[0]["inputs"]?[0]?["data"] == [0.1, 0.2])
        #expect(events[2]["inputs"]?[0]?["data"] == [3.25, 0.001])
        #expect(events[2]["inputs"]?[0]?["datatype"]?.stringValue == "FP32")
    }

    @Test func npzIsRefusedWithAWayOut() throws {
        let path = try dir.write("a.npz", [0x50, 0x4b, 0x03, 0x04] + [UInt8](repeating: 0, count: 40))
        let message = failure { _ = try importing(path, .npy) }
        #expect(message.contains(".npz") && message.contains("np.save"), "\(message)")
    }

    @Test func truncatedNPY() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: try fixture("small.npy"))))
        let path = try dir.write("t.npy", Array(bytes.dropLast(3)))
        #expect(failure { _ = try importing(path, .npy) }.contains("truncated"))
    }

    @Test func truthJoinsOntoAnExistingCaptureAsANewCapture() throws {
        let base = try importing(try fixture("seldon-structured.jsonl"), .seldon)
        let s = try importing(try fixture("truth.jsonl"), .truth, capture: base.capture)
        #expect(s.capture != base.capture && s.baseCapture == base.capture)
        #expect(s.events == 3 && s.withTruth == 2 && s.truthWithoutRequest == 1)
        let (_, events) = try lines(s.capture)
        let joined = try #require(events.first { $0["request_id"]?.stringValue == "a1b2c3" })
        #expect(joined["truth"]?[0]?["data"] == [1, 0, 0])
        #expect(joined["status"]?.stringValue == "complete")
    }

    @Test func sameInputSameBytesEvenWhenSortsSpill() throws {
        let path = try dir.write("many.jsonl", (0..<500).map { i in
            #"{"request_id":"r\#((i * 7919) % 500)","timestamp":\#(1714564800 + (i * 31) % 97),"x":\#(Double(i) / 8)}"#
        }.joined(separator: "\n") + "\n")
        let inMemory = try importing(path, .jsonl)
        // Second workspace, tiny budget: dozens of spilled runs, merged.
        let other = try Workspace.initialize(at: dir.file("ws2"))
        let spilled = try CaptureImport.run(in: other, file: path, options: .init(format: .jsonl, sortMemoryBudget: 4096))
        #expect(inMemory.capture == spilled.capture)
        let (_, events) = try lines(inMemory.capture)
        #expect(events.count == 500)
        let keys = events.map { ($0["timestamp"]?.stringValue ?? "", $0["request_id"]?.stringValue ?? "") }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 })
        // Nothing is left behind in artifacts/tmp.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("ws2") + "/artifacts/tmp").isEmpty)
    }

    @Test func duplicateRequestIDsAreKeptAndCounted() throws {
        let path = try dir.write("dup.jsonl", """
            {"id":"x","inputs":[{"name":"a","shape":[1],"datatype":"INT64","data":[1]}]}
            {"id":"x","inputs":[{"name":"a","shape":[1],"datatype":"INT64","data":[2]}]}
            {"id":"x","model_name":"m","outputs":[{"name":"b","shape":[1],"datatype":"INT64","data":[10]}]}

            """)
        let s = try importing(path, .v2)
        #expect(s.events == 2 && s.duplicateRequests == 1 && s.complete == 1 && s.requestsWithoutResponse == 1)
        let (_, events) = try lines(s.capture)
        // The first request (in file order) gets the first response.
        let complete = try #require(events.first { $0["status"]?.stringValue == "complete" })
        #expect(complete["inputs"]?[0]?["data"] == [1])
    }

    @Test func mixedShapesAreKeptAndReported() throws {
        let path = try dir.write("mixed.jsonl", """
            {"id":"1","inputs":[{"name":"a","shape":[1,2],"datatype":"FP64","data":[1,2]}]}
            {"id":"2","inputs":[{"name":"a","shape":[1,3],"datatype":"FP64","data":[1,2,3]}]}
            {"id":"3","inputs":[{"name":"a","shape":[2,2],"datatype":"FP64","data":[1,2,3,4]}]}

            """)
        let s = try importing(path, .v2)
        #expect(s.events == 3 && s.mixedShapes)
        #expect(s.inputSignatures.map(\.signature) == ["a:FP64[2]", "a:FP64[3]"])
        #expect(s.inputSignatures.map(\.events) == [2, 1])
    }

    @Test func malformedLineFailsWithItsLineNumber() throws {
        let path = try dir.write("bad.jsonl", "{\"x\":1}\n{\"x\":\n{\"x\":3}\n")
        let message = failure { _ = try importing(path, .jsonl) }
        #expect(message.contains("bad.jsonl: line 2: not valid JSON"), "\(message)")
        #expect(message.contains("--on-error skip"))
        // The failed run is recorded, with no outputs.
        #expect(try ws.runs(operation: "capture.import").first?.status == .failed)
    }

    @Test func skipQuarantinesBadLinesVerbatim() throws {
        let path = try dir.write("bad.jsonl", Array("{\"x\":1}\n{\"x\":\n".utf8) + [0xff, 0xfe, 0x00, 0x0a] + Array("{\"x\":3}".utf8))
        let s = try importing(path, .jsonl, onError: .skip)
        #expect(s.events == 2 && s.quarantined == 2)
        let quarantine = try ws.blobs.bytes(of: try #require(s.quarantine)).split(separator: 0x0a).map { try JSONValue.parse($0) }
        #expect(quarantine[0]["format"]?.stringValue == "assay.capture-quarantine.v1")
        #expect(quarantine[1]["line"] == 2 && quarantine[1]["raw"]?.stringValue == "{\"x\":")
        #expect(quarantine[2]["line"] == 3 && quarantine[2]["raw_base64"]?.stringValue == "//4A")
        let runID = try #require(s.run)
        let run = try #require(try ws.run(runID))
        #expect(run.outputs.map(\.role).sorted() == ["capture", "quarantine"])
    }

    @Test func truncatedLastLineSaysSo() throws {
        let path = try dir.write("cut.jsonl", "{\"request_id\":\"a\",\"x\":1}\n{\"request_id\":\"b\",\"x\"")
        #expect(failure { _ = try importing(path, .jsonl) }.contains("line 2: not valid JSON"))
        #expect(failure { _ = try importing(path, .jsonl) }.contains("truncated"))
        let binary = try dir.write("cut.log", "Ce-Type: org.kubeflow.serving.inference.request\nCe-Id: 1\nContent-Length: 500\n\n{\"inputs\":[")
        #expect(failure { _ = try importing(binary, .kserve) }.contains("truncated"))
    }

    @Test func emptyCaptures() throws {
        let empty = try dir.write("empty.jsonl", "")
        #expect(failure { _ = try importing(empty, .jsonl) }.contains("empty"))
        let blank = try dir.write("blank.jsonl", "\n\n  \n")
        #expect(failure { _ = try importing(blank, .jsonl) }.contains("no events"))
        let allBad = try dir.write("allbad.jsonl", "nope\n")
        let message = failure { _ = try importing(allBad, .jsonl, onError: .skip) }
        #expect(message.contains("all 1 records were rejected"), "\(message)")
    }

    @Test func binaryGarbage() throws {
        var x: UInt64 = 42
        let bytes = (0..<4096).map { _ -> UInt8 in x = x &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: x >> 56) }
        let path = try dir.write("garbage.bin", bytes)
        for format in [CaptureFormat.seldon, .kserve, .v2, .jsonl, .csv] {
            let message = failure { _ = try importing(path, format) }
            #expect(message.contains("garbage.bin"), "\(format): \(message)")
        }
        #expect(failure { _ = try importing(path, .npy) }.contains("not a NumPy"))
    }

    @Test func unknownFormat() {
        #expect(failure { _ = try CaptureFormat.parse("parquet") }.contains("seldon, kserve, v2, jsonl, csv, npy, truth"))
    }

    @Test(arguments: [
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"),
        ("2024-05-01T14:00:00.5+02:00", "2024-05-01T12:00:00.5Z"),
        ("2024-05-01 12:00:00.123456789Z", "2024-05-01T12:00:00.123456789Z"),
        ("1714564800", "2024-05-01T12:00:00Z"),
        ("1714564800.25", "2024-05-01T12:00:00.25Z"),
        ("-1.25", "1969-12-31T23:59:58.75Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
    ])
    func timestamps(_ text: String, _ expected: String) {
        #expect(CaptureTimestamp(parsing: text)?.description == expected)
    }

    @Test(arguments: ["2023-02-29T00:00:00Z", "2024-05-01T12:00:00", "yesterday", "1e9", "", "2024-13-01T00:00:00Z"])
    func badTimestamps(_ text: String) {
        #expect(CaptureTimestamp(parsing: text) == nil)
    }

    @Test func tensorDecodingProblems() {
        func problem(_ json: String) -> String {
            do { _ = try CapturePayload.decode(try JSONValue.parse(json)); return "no error" } catch { return String(describing: error) }
        }
        #expect(problem(#"{"inputs":[{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2]}]}"#).contains("2 values for shape [1, 3]"))
        #expect(problem(#"{"inputs":[{"name":"a","shape":[1],"datatype":"INT8","data":[300]}]}"#).contains("out of range"))
        #expect(problem(#"{"data":{"ndarray":[[1,2],[3]]}}"#).contains("ragged"))
        #expect(problem(#"{"inputs":[{"name":"a","shape":[1],"datatype":"FP128","data":[1]}]}"#).contains("datatype"))
        #expect(problem(#"{"meta":{}}"#).contains("no tensors"))
    }
}
