import Foundation
import Testing
@testable import AssayPipeline
import AssayStore
import AssayCrypto
import _AssayTestSupport

/// The replay's fast line scanner reads exactly what the general JSON path reads, on every
/// committed logger fixture and on hand-made lines with every number shape, and hands anything
/// unusual back to the general path.
@Suite struct ReplayEventScannerTests {
    let dir: TemporaryDirectory
    let ws: Workspace
    let capture = ArtifactID(digest: try! AssayCrypto.SHA256.hash([UInt8]()))

    init() throws {
        dir = try TemporaryDirectory()
        ws = try Workspace.initialize(at: dir.file("ws"))
    }

    struct Read: Equatable {
        var requestID: String?
        var timestamp: CaptureTimestamp?
        var rows: Int
        var width: Int
        var features: [UInt64]
        var recorded: [UInt64]?
    }

    func read(_ e: ReplayEvent) -> Read {
        Read(requestID: e.requestID, timestamp: e.timestamp, rows: e.rows, width: e.width,
             features: e.features.map(\.bitPattern), recorded: e.recorded?.values.map(\.bitPattern))
    }

    /// Both paths on one line: the scanner's result (nil when it defers) and the general one's.
    func both(_ line: [UInt8], recorded: Bool) throws -> (fast: Read?, general: Read?) {
        var fast: Read?
        if let s = ReplayEventScanner.scan(line[...], recorded: recorded) {
            fast = read(try ReplayEvent(index: 0, line: 2, requestID: s.requestID, timestamp: s.timestamp, capture: capture, inputs: s.inputs, outputs: s.outputs))
        }
        let general = (try? JSONValue.parse(line)).flatMap(CaptureEvent.init(json:)).flatMap {
            try? ReplayEvent($0, index: 0, line: 2, capture: capture, recorded: recorded)
        }.map(read)
        return (fast, general)
    }

    @Test func fixturesReadTheSameBothWays() throws {
        var scanned = 0
        for (name, format) in [("seldon-binary.log", CaptureFormat.seldon), ("seldon-structured.jsonl", .seldon), ("kserve-binary.log", .kserve),
                               ("kserve-kfserving-2020.log", .kserve), ("v2.jsonl", .v2), ("rows.jsonl", .jsonl), ("rows.csv", .csv), ("small.npy", .npy)] {
            let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/captures"))
            let summary = try CaptureImport.run(in: ws, file: url.path, options: .init(format: format, onError: .skip))
            let bytes = try ws.blobs.bytes(of: try #require(summary.capture))
            for line in bytes.split(separator: 0x0a).dropFirst() {
                for recorded in [false, true] {
                    let (fast, general) = try both(Array(line), recorded: recorded)
                    if let fast {
                        #expect(fast == general, "\(name): \(String(decoding: line, as: UTF8.self))")
                        scanned += 1
                    }
                }
            }
        }
        #expect(scanned > 10)
    }

    func line(data: String, datatype: String = "FP64", shape: String = "[1,3]", requestID: String = "\"r1\"", extra: String = "") -> [UInt8] {
        Array("""
            {"attributes":null,"inputs":[{"data":\(data),"datatype":"\(datatype)","name":"x","names":["a","b","c"],"parameters":{"k":[1,{"z":"]}"}]},"shape":\(shape)}],"lines":{"request":1,"response":null,"truth":null},"meta":null,"model":"m\\u00e9","model_version":null,"outputs":[{"data":[0.25,0.75],"datatype":"FP32","name":"p","names":null,"parameters":null,"shape":[1,2]}],"puid":null,"request_id":\(requestID),"response_timestamp":null,"reward":null,"status":"complete","timestamp":"2024-05-01T12:00:00.5Z","truth":null\(extra)}
            """.utf8)
    }

    @Test func numbersNullsAndBooleansAgree() throws {
        let cases: [(String, String)] = [
            ("[1,2,3]", "FP64"), ("[-0,0.1,1e300]", "FP64"), ("[-0.0,-1e-400,1\(String(repeating: "0", count: 400))]", "FP64"), ("[1.5e-320,-2.5E+10,123456789012345678901234567890]", "FP64"),
            ("[0.1,16777217,123456789]", "FP32"), ("[3.4028235e38,1e39,-1e-50]", "FP32"), ("[null,1,2]", "FP64"),
            ("[true,false,true]", "BOOL"), ("[1,2,3]", "INT64"), ("[255,0,7]", "UINT8"), ("[0.1,0.2,0.3]", "FP16"),
        ]
        for (data, datatype) in cases {
            let (fast, general) = try both(line(data: data, datatype: datatype), recorded: true)
            #expect(fast != nil, "\(data) \(datatype) should take the fast path")
            #expect(fast == general, "\(data) \(datatype)")
        }
    }

    @Test func unusualLinesGoToTheGeneralPath() throws {
        let deferred: [[UInt8]] = [
            line(data: "[\"a\",1,2]", datatype: "BYTES"),            // not numbers
            line(data: "[[1,2,3]]"),                                   // nested data
            line(data: "[1,2,3]", requestID: "\"r\\u0031\""),          // an escaped request id
            line(data: "[01,2,3]"),                                    // not JSON
            line(data: "[1e400,2,3]"),                                 // out of range
            line(data: "[1,2,3]", extra: ",\"inputs\":null"),        // a duplicate key ending in null
            Array(line(data: "[1,2,3]").dropLast()),                   // truncated
            Array("{\"inputs\":null,\"request_id\":\"x\"}".utf8),      // no inputs
            Array("{}".utf8), Array("[]".utf8), [],
        ]
        for bytes in deferred {
            #expect(ReplayEventScanner.scan(bytes[...], recorded: false) == nil, "\(String(decoding: bytes, as: UTF8.self))")
        }
        // Without recorded outputs the scanner still reads the inputs when outputs are absent.
        let noOutputs = Array("{\"inputs\":[{\"data\":[1],\"datatype\":\"FP64\",\"name\":\"x\",\"shape\":[1,1]}],\"outputs\":null}".utf8)
        #expect(ReplayEventScanner.scan(noOutputs[...], recorded: false) != nil)
        #expect(ReplayEventScanner.scan(noOutputs[...], recorded: true) == nil)
    }
}
