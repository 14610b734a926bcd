import AssayModels
@testable import AssayPipeline
import Foundation
import Testing
import _AssayTestSupport

@Suite struct RemoteModelEndpointTests {
    @Test func urlsParse() throws {
        let e = try RemoteModelEndpoint(url: "http://127.0.0.1:8080/v2/models/iris")
        #expect(e.server == "http://127.0.0.1:8080" && e.modelName == "iris" && e.version == nil)
        let v = try RemoteModelEndpoint(url: "https://models.example/v2/models/iris/versions/3")
        #expect(v.url == "https://models.example/v2/models/iris/versions/3")
        for bad in ["iris", "ftp://h/v2/models/iris", "http://h/v1/models/iris:predict", "http://h/v2/models/", "http://h/v2/models/a/b"] {
            #expect(throws: PipelineError.self, "\(bad)") { _ = try RemoteModelEndpoint(url: bad) }
        }
    }

    static let input = [(name: "x", tensor: ModelTensor(float: [1, 2, 3, 4], shape: [1, 4]))]

    func expectRemoteError(_ server: CannedHTTPServer?, port: Int? = nil, timeout: Double = 2, contains text: String) {
        let p = port ?? server!.port
        do {
            let endpoint = try RemoteModelEndpoint(url: "http://127.0.0.1:\(p)/v2/models/iris", timeout: timeout)
            _ = try endpoint.infer(Self.input, id: "1")
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains(text), "\(error)")
        }
    }

    @Test func connectionRefusedIsAClearError() throws {
        let server = try CannedHTTPServer(response: nil)
        let port = server.port
        server.stop()
        expectRemoteError(nil, port: port, contains: "connection refused")
    }

    @Test func silentServerTimesOut() throws {
        let server = try CannedHTTPServer(response: nil)
        defer { server.stop() }
        let start = Date()
        expectRemoteError(server, timeout: 1, contains: "no answer within 1.0 s")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func httpErrorsCarryTheServerMessage() throws {
        let server = try CannedHTTPServer(response: CannedHTTPServer.response(status: 404, body: #"{"error":"Model iris not found"}"#))
        defer { server.stop() }
        expectRemoteError(server, contains: "HTTP 404: Model iris not found")
    }

    @Test func malformedBodiesAreClearErrors() throws {
        for (body, text) in [("<html>oops</html>", "not JSON"), (#"{"outputs":[{"name":"p"}]}"#, "response.outputs[0].datatype")] {
            let server = try CannedHTTPServer(response: CannedHTTPServer.response(status: 200, body: body))
            defer { server.stop() }
            expectRemoteError(server, contains: text)
        }
    }

    @Test func answersDecode() throws {
        let server = try CannedHTTPServer(response: CannedHTTPServer.response(
            status: 200, body: #"{"model_name":"iris","model_version":"v7","outputs":[{"name":"predict","shape":[1],"datatype":"INT64","data":[2]}]}"#))
        defer { server.stop() }
        let endpoint = try RemoteModelEndpoint(url: "http://127.0.0.1:\(server.port)/v2/models/iris")
        let result = try endpoint.infer(Self.input, id: "1")
        #expect(result.modelVersion == "v7")
        #expect(result.outputs.first?.tensor == ModelTensor(int64: [2], shape: [1]))
        #expect(try endpoint.isReady())
    }
}
