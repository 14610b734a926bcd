#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AssayCrypto

/// The immutable, content-addressed blob files under `artifacts/`.
///
/// Layout: `artifacts/sha256/ab/<remaining 62 hex>`, one file per distinct content, read-only.
/// Writes go to `artifacts/tmp/` first and become visible only once durable: temporary file,
/// `fsync`, `rename` into place, `fsync` of the directory. A crash at any moment leaves either no
/// blob or a complete one, plus perhaps a temporary file that `assay fsck --repair` removes.
///
/// - Complexity: adding a file reads it once, hashing while copying, in bounded memory
///   (``chunkSize`` bytes at a time).
public struct BlobStore: Sendable {
    /// The `artifacts/` directory.
    public let root: String

    /// Bytes read and written per step when streaming a file into the store.
    public static let chunkSize = 1 << 20

    /// Prefix of temporary files; the writer's process id follows, so fsck can tell live ones.
    static let temporaryPrefix = "partial-"

    public init(root: String) { self.root = root }

    var shaDirectory: String { root + "/sha256" }
    var temporaryDirectory: String { root + "/tmp" }

    /// Where the blob of `id` lives (whether or not it exists).
    public func path(for id: ArtifactID) -> String {
        let hex = id.hex
        return shaDirectory + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    /// Whether the blob for `id` exists.
    public func contains(_ id: ArtifactID) -> Bool {
        var st = stat()
        return stat(path(for: id), &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Creates the directories of an empty store.
    func createLayout() throws(StoreError) {
        for dir in [root, shaDirectory, temporaryDirectory] {
            try BlobStore.makeDirectory(dir)
        }
    }

    /// Streams the file at `path` into the store and returns its id and size.
    ///
    /// - Throws: ``StoreError/fileNotFound(path:)``, ``StoreError/isADirectory(path:)``,
    ///   ``StoreError/io(path:operation:errno:)``.
    /// - Parameter progress: called with the number of bytes read so far, after each chunk.
    public func put(fileAt path: String, progress: ((Int64) -> Void)? = nil) throws(StoreError) -> (id: ArtifactID, size: Int64) {
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { throw .fileNotFound(path: path) }
            throw .io(path: path, operation: "read", errno: errno)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .isADirectory(path: path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "read", errno: errno) }
        defer { close(fd) }
        var done: Int64 = 0
        return try ingest(sourcePath: path) { buffer throws(StoreError) -> Int in
            var n: Int
            repeat { n = Glibc.read(fd, buffer.baseAddress, buffer.count) } while n < 0 && errno == EINTR
            if n < 0 { throw .io(path: path, operation: "read", errno: errno) }
            done += Int64(n)
            progress?(done)
            return n
        }
    }

    /// Stores `bytes` and returns their id and size.
    ///
    /// Bytes already in the store (a detector's reference re-encoded unchanged, say) are hashed
    /// and not written again.
    public func put(bytes: [UInt8]) throws(StoreError) -> (id: ArtifactID, size: Int64) {
        let known: ArtifactID
        do { known = ArtifactID(digest: try SHA256.hash(bytes)) } catch { throw .database(error.description) }
        if contains(known) { return (known, Int64(bytes.count)) }
        var offset = 0
        return try ingest(sourcePath: "<memory>") { buffer throws(StoreError) -> Int in
            let n = min(buffer.count, bytes.count - offset)
            if n > 0 {
                bytes.withUnsafeBytes { src in
                    buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
                }
            }
            offset += n
            return n
        }
    }

    /// Copies from `readChunk` into a temporary file while hashing, then publishes it durably.
    private func ingest(sourcePath: String, readChunk: (UnsafeMutableRawBufferPointer) throws(StoreError) -> Int) throws(StoreError) -> (id: ArtifactID, size: Int64) {
        try BlobStore.makeDirectory(temporaryDirectory)
        var suffix = SystemRandomNumberGenerator()
        let tmpPath = temporaryDirectory + "/" + BlobStore.temporaryPrefix + "\(getpid())-" + String(suffix.next() as UInt64, radix: 16)
        let out = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw .io(path: tmpPath, operation: "create", errno: errno) }
        var published = false
        defer { if !published { unlink(tmpPath) } }
        var closed = false
        defer { if !closed { close(out) } }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobStore.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var hasher: SHA256
        do { hasher = try SHA256() } catch { throw .database(error.description) }
        var total: Int64 = 0
        while true {
            let n = try readChunk(buffer)
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            do { try hasher.update(chunk) } catch { throw .database(error.description) }
            try BlobStore.writeAll(out, chunk, path: tmpPath)
            total += Int64(n)
        }
        let digest: SHA256.Digest
        do { digest = try hasher.finalize() } catch { throw .database(error.description) }
        let id = ArtifactID(digest: digest)
        let final = path(for: id)

        if contains(id) {
            // Same content already stored: the temporary copy is dropped by the deferred unlink.
            return (id, total)
        }
        guard fchmod(out, 0o444) == 0 else { throw .io(path: tmpPath, operation: "chmod", errno: errno) }
        guard fsync(out) == 0 else { throw .io(path: tmpPath, operation: "fsync", errno: errno) }
        close(out)
        closed = true
        let fanout = shaDirectory + "/" + id.hex.prefix(2)
        let created = try BlobStore.makeDirectory(fanout)
        if created { try BlobStore.syncDirectory(shaDirectory) }
        guard rename(tmpPath, final) == 0 else { throw .io(path: final, operation: "rename into", errno: errno) }
        published = true
        try BlobStore.syncDirectory(fanout)
        return (id, total)
    }

    /// Calls `body` with successive chunks of the blob of `id`, verifying its hash at the end.
    ///
    /// - Throws: ``StoreError/blobMissing(id:path:)`` or ``StoreError/blobCorrupt(id:actual:)``
    ///   (the latter after every chunk was delivered, so callers streaming to a terminal must
    ///   report it after the fact).
    public func read(_ id: ArtifactID, verify: Bool = true, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let p = path(for: id)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw StoreError.blobMissing(id: id.rawValue, path: p) }
            throw StoreError.io(path: p, operation: "read", errno: errno)
        }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobStore.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = try SHA256()
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { throw StoreError.io(path: p, operation: "read", errno: errno) }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            if verify { try hasher.update(chunk) }
            try body(chunk)
        }
        if verify {
            let actual = ArtifactID(digest: try hasher.finalize())
            if actual != id { throw StoreError.blobCorrupt(id: id.rawValue, actual: actual.rawValue) }
        }
    }

    /// The whole blob of `id` in memory, verified. For small artifacts (parameters, results).
    public func bytes(of id: ArtifactID) throws -> [UInt8] {
        var out = [UInt8]()
        try read(id) { out.append(contentsOf: $0) }
        return out
    }

    /// Re-hashes the blob of `id` and returns its actual id, or `nil` if the file is missing.
    public func rehash(_ id: ArtifactID) throws -> (actual: ArtifactID, size: Int64)? {
        let p = path(for: id)
        var st = stat()
        guard stat(p, &st) == 0 else { return nil }
        var hasher = try SHA256()
        var size: Int64 = 0
        try read(id, verify: false) { chunk in
            try hasher.update(chunk)
            size += Int64(chunk.count)
        }
        return (ArtifactID(digest: try hasher.finalize()), size)
    }

    // MARK: - POSIX helpers

    /// Creates `path` (mode 0755) if missing; returns whether it was created.
    @discardableResult
    static func makeDirectory(_ path: String) throws(StoreError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        let code = errno
        var st = stat()
        if code == EEXIST, stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return false }
        throw .io(path: path, operation: "create directory", errno: code)
    }

    /// `fsync` on a directory, so a rename or create inside it is durable.
    static func syncDirectory(_ path: String) throws(StoreError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync directory", errno: errno) }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", errno: errno)
            }
            offset += n
        }
    }
}
