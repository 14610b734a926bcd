import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP server for tests that answers every request with the same canned bytes, or
/// accepts connections and never answers (`response == nil`), to try clients on error statuses,
/// malformed bodies and timeouts. Serves until ``stop()``.
public final class CannedHTTPServer: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let response: [UInt8]?
    private let lock = NSLock()
    private var stopped = false
    private var held: [Int32] = []
    private var thread: Thread?

    /// A full HTTP response for `status` with `body`.
    public static func response(status: Int, body: String, contentType: String = "application/json") -> [UInt8] {
        let bytes = Array(body.utf8)
        return Array("HTTP/1.1 \(status) Canned\r\nContent-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n".utf8) + bytes
    }

    /// Starts listening on an ephemeral loopback port.
    public init(response: [UInt8]?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        self.response = response
        let thread = Thread { [self] in self.serve() }
        self.thread = thread
        thread.start()
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            lock.lock()
            let done = stopped
            lock.unlock()
            if done { close(client); return }
            guard let response else {
                lock.lock()
                held.append(client)
                lock.unlock()
                continue
            }
            // Read the request head (and whatever body arrived with it), then answer.
            var buffer = [UInt8](repeating: 0, count: 65536)
            _ = read(client, &buffer, buffer.count)
            response.withUnsafeBytes { _ = write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }

    /// Stops accepting and closes held connections.
    public func stop() {
        lock.lock()
        stopped = true
        let connections = held
        held = []
        lock.unlock()
        for c in connections { close(c) }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }
}
