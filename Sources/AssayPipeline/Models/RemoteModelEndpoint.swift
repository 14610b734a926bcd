import AssayModels
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A model served over HTTP with the Open Inference Protocol (KServe V2): MLServer, KServe,
/// Triton, Seldon Core 2.
///
/// Written as the model's URL, `http://host:port/v2/models/NAME` or
/// `…/v2/models/NAME/versions/VERSION`. Every request has a timeout; connection refused,
/// timeouts, HTTP errors (with the server's `{"error": …}` message) and bodies that do not follow
/// the protocol are ``PipelineError/remote(url:problem:fix:)`` errors, never hangs.
public struct RemoteModelEndpoint: Sendable, Equatable {
    /// `http://host:port`, without a trailing slash.
    public var server: String
    public var modelName: String
    public var version: String?
    /// Seconds allowed for each request.
    public var timeout: Double

    /// Parses a model URL.
    public init(url text: String, timeout: Double = 30) throws(PipelineError) {
        func bad(_ why: String) -> PipelineError {
            .invalidInput(place: text, problem: why, fix: "Write the model's URL as http://HOST:PORT/v2/models/NAME (optionally /versions/VERSION).")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else { throw bad("not an http(s) URL") }
        let parts = url.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "v2", parts[1] == "models", !parts[2].isEmpty else {
            throw bad("the path is not /v2/models/NAME")
        }
        if parts.count == 5, parts[3] == "versions" {
            version = parts[4]
        } else if parts.count != 3 {
            throw bad("the path is not /v2/models/NAME or /v2/models/NAME/versions/VERSION")
        }
        guard timeout > 0 else { throw bad("timeout must be positive") }
        server = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        modelName = parts[2]
        self.timeout = timeout
    }

    /// The model's URL, as recorded in the lineage.
    public var url: String {
        "\(server)/v2/models/\(modelName)" + (version.map { "/versions/\($0)" } ?? "")
    }

    /// Whether the model answers ready (`GET …/ready` → 200).
    public func isReady() throws(PipelineError) -> Bool {
        let (status, _) = try send("GET", url + "/ready", body: nil)
        return status == 200
    }

    /// The model's metadata (`GET …`).
    public func metadata() throws(PipelineError) -> InferenceProtocol.Metadata {
        let body = try expectOK(try send("GET", url, body: nil), url)
        do { return try InferenceProtocol.decodeMetadata(body) } catch { throw .remote(url: url, problem: error.description, fix: "Point at an Open Inference Protocol endpoint.") }
    }

    /// Runs the model on `inputs` (`POST …/infer`); returns the outputs and the version the
    /// server reports.
    public func infer(_ inputs: [(name: String, tensor: ModelTensor)], id: String) throws(PipelineError)
        -> (modelVersion: String?, outputs: [(name: String, tensor: ModelTensor)]) {
        let target = url + "/infer"
        let body = try expectOK(try send("POST", target, body: InferenceProtocol.requestBody(id: id, inputs: inputs)), target)
        do {
            let decoded = try InferenceProtocol.decodeResponse(body)
            return (decoded.modelVersion, decoded.outputs)
        } catch {
            throw .remote(url: target, problem: error.description, fix: "Check that the server runs the model the URL names.")
        }
    }

    // MARK: Transport

    private func expectOK(_ response: (status: Int, body: [UInt8]), _ target: String) throws(PipelineError) -> [UInt8] {
        guard response.status == 200 else {
            let message = InferenceProtocol.errorMessage(response.body)
                ?? String(decoding: response.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .remote(url: target, problem: "HTTP \(response.status)\(message.isEmpty ? "" : ": \(message)")",
                          fix: response.status == 404 ? "Check the model name and version; the server does not serve it." : "See the server's log.")
        }
        return response.body
    }

    private func send(_ method: String, _ target: String, body: [UInt8]?) throws(PipelineError) -> (status: Int, body: [UInt8]) {
        guard let url = URL(string: target) else {
            throw .invalidInput(place: target, problem: "not a URL", fix: "Write http://HOST:PORT/v2/models/NAME.")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            box.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
            done.signal()
        }
        task.resume()
        // URLSession enforces the timeout; this wait is a backstop against a stuck transport.
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            throw .remote(url: target, problem: "no answer within \(timeout) s", fix: "Check that the server is up, or pass a longer timeout.")
        }
        let (data, status, error) = box.get()
        if let error {
            let nsError = error as NSError
            let problem: String
            switch nsError.code {
            case NSURLErrorTimedOut: problem = "no answer within \(timeout) s"
            case NSURLErrorCannotConnectToHost: problem = "connection refused"
            case NSURLErrorCannotFindHost: problem = "unknown host"
            default: problem = nsError.localizedDescription
            }
            throw .remote(url: target, problem: problem, fix: "Check that the server is up and reachable at \(server).")
        }
        guard let status else { throw .remote(url: target, problem: "no HTTP response", fix: "Check that \(server) speaks HTTP.") }
        return (status, data.map { [UInt8]($0) } ?? [])
    }
}

/// The result of a URLSession task, handed from its callback to the waiting thread.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var status: Int?
    private var error: (any Error)?

    func set(data: Data?, status: Int?, error: (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        self.data = data
        self.status = status
        self.error = error
    }

    func get() -> (Data?, Int?, (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        return (data, status, error)
    }
}
