internal import CLibArchive
import AssayCrypto
import Foundation

/// A gzip file written by libarchive from a stream of bytes (raw format, the same gzip settings
/// as ``TarWriter``: level 6, no time, no name), hashing what it writes.
final class GzipFileWriter: TarStreamSink, @unchecked Sendable {
    // @unchecked: used by one task at a time (the export), as TarWriter is.
    private let archive: OpaquePointer
    private let fd: Int32
    let path: String
    private var hasher: SHA256?
    /// The whole file's hash: the first member, then what is appended.
    private var wholeHasher: SHA256?
    private(set) var size: Int64 = 0
    private var failure: String?

    init(path: String) throws {
        self.path = path
        _ = LibArchiveLocale.ensured
        guard let archive = archive_write_new() else {
            throw ArchiveError(.writeFailed, detail: "libarchive could not allocate a writer", hint: "Check free memory")
        }
        self.archive = archive
        hasher = try SHA256()
        wholeHasher = try SHA256()
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            archive_write_free(archive)
            throw ArchiveError(.fileSystem, archive: path, detail: "cannot create the file: \(String(cString: strerror(errno)))", hint: "Check the directory")
        }
        guard archive_write_set_format_raw(archive) == ARCHIVE_OK,
              archive_write_set_bytes_in_last_block(archive, 1) == ARCHIVE_OK,
              archive_write_add_filter_gzip(archive) == ARCHIVE_OK,
              archive_write_set_options(archive, "gzip:!timestamp,gzip:compression-level=6") == ARCHIVE_OK,
              archive_write_open2(archive, Unmanaged.passUnretained(self).toOpaque(), nil, { _, context, buffer, length in
                  guard let context, let buffer else { return -1 }
                  return Unmanaged<GzipFileWriter>.fromOpaque(context).takeUnretainedValue().emit(UnsafeRawBufferPointer(start: buffer, count: length))
              }, nil, nil) == ARCHIVE_OK else {
            let message = libarchiveMessage(archive, "setup")
            archive_write_free(archive)
            close(fd)
            throw ArchiveError(.writeFailed, archive: path, detail: "cannot set up the gzip writer: \(message)", hint: "")
        }
        guard let entry = archive_entry_new() else { throw ArchiveError(.writeFailed, detail: "no entry", hint: "") }
        defer { archive_entry_free(entry) }
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_pathname(entry, "data")
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw ArchiveError(.writeFailed, archive: path, detail: "cannot start the gzip stream: \(libarchiveMessage(archive, "header"))", hint: "")
        }
    }

    deinit {
        archive_write_free(archive)
        if fd >= 0 { close(fd) }
    }

    /// The compressed bytes, as libarchive hands them over: written to the file and hashed.
    private func emit(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { failure = String(cString: strerror(errno)); return -1 }
            offset += n
        }
        do { try hasher!.update(bytes); try wholeHasher!.update(bytes) } catch { failure = "\(error)"; return -1 }
        size += Int64(bytes.count)
        return bytes.count
    }

    /// Uncompressed bytes in.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = archive_write_data(archive, bytes.baseAddress! + offset, bytes.count - offset)
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Ends the gzip member; returns the SHA-256 (hex) and size of the compressed bytes.
    func finish() throws -> (sha256: String, size: Int64) {
        guard archive_write_close(archive) == ARCHIVE_OK, failure == nil else {
            throw ArchiveError(.writeFailed, archive: path, detail: "cannot finish the gzip stream: \(failure ?? libarchiveMessage(archive, "close"))", hint: "Check free disk space")
        }
        guard let done = hasher.take() else { throw ArchiveError(.writeFailed, detail: "finished twice", hint: "") }
        return (try done.finalize().hex, size)
    }

    /// Appends `bytes` after the gzip stream and flushes the file to disk.
    func appendAndSync(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ArchiveError(.fileSystem, archive: path, detail: "cannot write: \(String(cString: strerror(errno)))", hint: "Check free disk space") }
            offset += n
        }
        guard fsync(fd) == 0 else { throw ArchiveError(.fileSystem, archive: path, detail: "cannot flush the file", hint: "Check free disk space") }
        try wholeHasher!.update(bytes)
        appended += Int64(bytes.count)
    }

    private var appended: Int64 = 0

    /// The SHA-256 (hex) and size of the whole file written.
    func wholeFile() throws -> (sha256: String, size: Int64) {
        guard let done = wholeHasher.take() else { throw ArchiveError(.writeFailed, detail: "finished twice", hint: "") }
        return (try done.finalize().hex, size + appended)
    }
}

/// Passes a tar stream on, less its end marker (the last 1024 bytes, which must be zeros), so
/// that more entries can follow in another gzip member.
final class EndMarkerStrippingSink: TarStreamSink, @unchecked Sendable {
    private let next: any TarStreamSink
    private var held: [UInt8] = []
    private var ok = true

    init(next: any TarStreamSink) { self.next = next }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        held.append(contentsOf: bytes)
        if held.count > 1024 {
            let pass = held.count - 1024
            ok = held.withUnsafeBytes { next.write(UnsafeRawBufferPointer(rebasing: $0[0..<pass])) } && ok
            held.removeFirst(pass)
        }
        return ok
    }

    /// Checks that what was held back is the end marker.
    func finish() throws {
        guard ok, held.count == 1024, held.allSatisfy({ $0 == 0 }) else {
            throw ArchiveError(.writeFailed, detail: "the tar stream did not end with its end marker", hint: "Report this")
        }
    }
}

/// The last gzip member of a bundle: `manifest.json` and `manifest.json.sig` as ustar entries
/// (mode 0644, owner 0, the bundle's time) and the tar end marker, stored uncompressed in
/// deflate stored blocks. Written by this code alone, so that a verifier rebuilds it byte for
/// byte: no bit of it is left to a decoder's leniency.
enum SealMember {
    static func bytes(manifest: [UInt8], signature: [UInt8], modificationTime: Int64) -> [UInt8] {
        let tar = ustar("manifest.json", manifest, modificationTime) + ustar("manifest.json.sig", signature, modificationTime)
            + [UInt8](repeating: 0, count: 1024)
        return storedGzip(tar)
    }

    /// One ustar header and the data padded to 512 bytes.
    static func ustar(_ name: String, _ data: [UInt8], _ mtime: Int64) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { h[offset + i] = b } }
        func octal(_ v: Int64, width: Int) -> String {
            let digits = String(v, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(octal(Int64(data.count), width: 12), at: 124)
        put(octal(max(0, mtime), width: 12), at: 136)
        put("        ", at: 148)
        put("0", at: 156)
        put("ustar", at: 257)
        put("00", at: 263)
        put("0000000", at: 329)
        put("0000000", at: 337)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(octal(Int64(sum), width: 7), at: 148)
        h[155] = 0x20
        return h + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// A gzip member of stored deflate blocks (at most 65 535 bytes each), with the canonical
    /// header and the CRC-32 and length trailer.
    static func storedGzip(_ data: [UInt8]) -> [UInt8] {
        var out = GzipStream.canonicalHeader
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            let final = offset + n == data.count
            out.append(final ? 0x01 : 0x00)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        let crc = CRC32.checksum(data), size = UInt32(truncatingIfNeeded: data.count)
        for v in [crc, size] { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        return out
    }
}
