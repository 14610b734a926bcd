internal import CLibArchive
import Foundation

/// Makes sure `LC_CTYPE` uses UTF-8 before libarchive converts a path.
///
/// libarchive converts pathnames through the C library's multibyte functions; under the plain
/// "C" locale a non-ASCII path fails to convert (and `archive_write_header` crashes). This sets
/// `C.UTF-8` once per process, and only when the current `LC_CTYPE` is not already UTF-8.
enum LibArchiveLocale {
    static let ensured: Void = {
        if let current = setlocale(LC_CTYPE, nil) {
            let name = String(cString: current).lowercased()
            if name.contains("utf-8") || name.contains("utf8") { return }
        }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil {
            _ = setlocale(LC_CTYPE, "en_US.UTF-8")  // systems without C.UTF-8
        }
    }()
}

/// The text of libarchive's last error on `archive`, or a fallback.
func libarchiveMessage(_ archive: OpaquePointer, _ fallback: String) -> String {
    if let text = archive_error_string(archive) {
        return String(cString: text)
    }
    return fallback
}

/// A thin, order-preserving tar writer over libarchive: pax format, gzip without timestamp.
///
/// Writes headers exactly as given (any path, any type), so tests can also build hostile
/// archives with it; ``TarArchive/write(_:modificationTime:)`` adds validation and sorting.
/// Not thread-safe; use from one task. Visible to tests as `@_spi(Testing) import AssayBundle`
/// (works in release builds, unlike `@testable`); not part of the module's API.
@_spi(Testing)
public final class TarWriter {
    /// Where the compressed bytes go.
    public enum Destination: Sendable {
        /// Collect them; ``finish()`` returns them.
        case memory
        /// A new file, created with `O_EXCL` (an existing file is an error).
        case file(String)
        /// The uncompressed tar bytes, handed to a sink as they are made.
        case uncompressed(any TarStreamSink)
    }

    /// One tar header, written verbatim.
    public struct Header: Sendable {
        public enum Kind: Sendable {
            case file
            case directory
            case symbolicLink(target: String)
            case hardLink(target: String)
            case fifo
            case characterDevice
            case blockDevice
        }

        public var path: String
        public var kind: Kind
        public var size: Int64
        public var mode: UInt32?  // nil: 0644 files, 0755 directories, 0777 links
        public var modificationTime: Int64

        /// A header; `size` is the number of data bytes that must follow for a file.
        public init(path: String, kind: Kind, size: Int64 = 0, mode: UInt32? = nil, modificationTime: Int64) {
            self.path = path
            self.kind = kind
            self.size = size
            self.mode = mode
            self.modificationTime = modificationTime
        }
    }

    private let archive: OpaquePointer
    private let sink: TarMemorySink?
    /// Kept alive while libarchive writes to it.
    private var streamSink: (any TarStreamSink)?
    private var fileDescriptor: Int32 = -1
    private let filePath: String?
    private var finished = false

    /// Opens a writer; see ``Destination``.
    public init(destination: Destination) throws(ArchiveError) {
        _ = LibArchiveLocale.ensured
        guard let archive = archive_write_new() else {
            throw ArchiveError(.writeFailed, detail: "libarchive could not allocate a writer", hint: "Check free memory")
        }
        self.archive = archive
        switch destination {
        case .memory:
            sink = TarMemorySink()
            filePath = nil
        case .file(let path):
            sink = nil
            filePath = path
        case .uncompressed:
            sink = nil
            filePath = nil
        }
        try check(archive_write_set_format_pax(archive), "cannot select the pax format")
        // No padding after the gzip trailer, so file and memory output are the same bytes.
        try check(archive_write_set_bytes_in_last_block(archive, 1), "cannot set the last block size")
        if case .uncompressed(let stream) = destination {
            streamSink = stream
            try check(
                archive_write_open2(archive, Unmanaged.passUnretained(stream as AnyObject).toOpaque(), nil, { _, context, buffer, length in
                    guard let context, let buffer else { return -1 }
                    let target = Unmanaged<AnyObject>.fromOpaque(context).takeUnretainedValue() as! any TarStreamSink
                    return target.write(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : -1
                }, nil, nil),
                "cannot open the tar stream")
            return
        }
        try check(archive_write_add_filter_gzip(archive), "cannot add the gzip filter")
        // No timestamp or file name in the gzip header, and a fixed compression level.
        try check(
            archive_write_set_options(archive, "gzip:!timestamp,gzip:compression-level=6"),
            "cannot set the gzip options")

        if let sink {
            let context = Unmanaged.passUnretained(sink).toOpaque()
            try check(
                archive_write_open2(archive, context, nil, memoryWriteCallback, nil, nil),
                "cannot open the in-memory archive")
        } else if case .file(let path) = destination {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let code = errno
                throw ArchiveError(
                    .fileSystem, archive: path, detail: "cannot create the archive file: \(String(cString: strerror(code)))",
                    hint: code == EEXIST
                        ? "Remove the file or choose a new name; archives are never written over existing files"
                        : "Check that the directory exists and is writable")
            }
            fileDescriptor = fd
            try check(archive_write_open_fd(archive, fd), "cannot open the archive file")
        }
    }

    deinit {
        archive_write_free(archive)
        if fileDescriptor >= 0 {
            close(fileDescriptor)
        }
    }

    /// Writes one header; for a file, follow with exactly `size` bytes of ``writeData(_:)``.
    public func write(_ header: Header) throws(ArchiveError) {
        guard let entry = archive_entry_new() else {
            throw ArchiveError(.writeFailed, entry: header.path, detail: "libarchive could not allocate an entry", hint: "Check free memory")
        }
        defer { archive_entry_free(entry) }
        header.path.withCString { archive_entry_set_pathname_utf8(entry, $0) }
        let type: UInt32
        let defaultMode: UInt32
        switch header.kind {
        case .file: type = 0o100000; defaultMode = 0o644  // AE_IFREG (a cast macro Swift cannot import)
        case .directory: type = 0o040000; defaultMode = 0o755
        case .symbolicLink(let target):
            type = 0o120000; defaultMode = 0o777
            target.withCString { archive_entry_set_symlink_utf8(entry, $0) }
        case .hardLink(let target):
            type = 0o100000; defaultMode = 0o644
            target.withCString { archive_entry_set_hardlink_utf8(entry, $0) }
        case .fifo: type = 0o010000; defaultMode = 0o644
        case .characterDevice: type = 0o020000; defaultMode = 0o644
        case .blockDevice: type = 0o060000; defaultMode = 0o644
        }
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, header.mode ?? defaultMode)
        archive_entry_set_size(entry, header.size)
        archive_entry_set_mtime(entry, time_t(header.modificationTime), 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        let status = archive_write_header(archive, entry)
        guard status == ARCHIVE_OK else {
            throw ArchiveError(
                .writeFailed, archive: filePath, entry: header.path,
                detail: "libarchive cannot write the header: \(libarchiveMessage(archive, "status \(status)"))",
                hint: "Report this with the entry path")
        }
    }

    /// Writes file data after a header.
    public func writeData(_ buffer: UnsafeRawBufferPointer, entry: String) throws(ArchiveError) {
        var offset = 0
        while offset < buffer.count {
            let written = archive_write_data(archive, buffer.baseAddress! + offset, buffer.count - offset)
            guard written > 0 else {
                throw ArchiveError(
                    .writeFailed, archive: filePath, entry: entry,
                    detail: "libarchive cannot write the data: \(libarchiveMessage(archive, "status \(written)"))",
                    hint: filePath == nil ? "Check free memory" : "Check free disk space")
            }
            offset += written
        }
    }

    /// Finishes the archive (end blocks, gzip trailer) and returns the bytes for `.memory`,
    /// or `[]` for a file, which is flushed to disk with `fsync`.
    public func finish() throws(ArchiveError) -> [UInt8] {
        precondition(!finished, "finish() called twice")
        finished = true
        try check(archive_write_close(archive), "cannot finish the archive")
        if fileDescriptor >= 0 {
            let synced = fsync(fileDescriptor)
            let closed = close(fileDescriptor)
            fileDescriptor = -1
            guard synced == 0, closed == 0 else {
                throw ArchiveError(
                    .fileSystem, archive: filePath, detail: "cannot flush the archive file: \(String(cString: strerror(errno)))",
                    hint: "Check free disk space")
            }
        }
        return sink?.bytes ?? []
    }

    private func check(_ status: Int32, _ what: String) throws(ArchiveError) {
        guard status == ARCHIVE_OK else {
            throw ArchiveError(
                .writeFailed, archive: filePath, detail: "\(what): \(libarchiveMessage(archive, "status \(status)"))",
                hint: filePath == nil ? "Report this; libarchive refused a fixed setting" : "Check that the file system is writable and has space")
        }
    }
}

/// Collects output bytes for `.memory`; libarchive calls back into it.
/// Where ``TarWriter`` hands uncompressed tar bytes (``TarWriter/Destination/uncompressed(_:)``).
@_spi(Testing)
public protocol TarStreamSink: AnyObject, Sendable {
    /// Takes the next bytes; false stops the archive with an error.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool
}

private final class TarMemorySink {
    var bytes: [UInt8] = []
}

private func memoryWriteCallback(
    _ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?, _ length: Int
) -> Int {
    guard let context, let buffer else { return -1 }
    // The writer keeps the sink alive for as long as libarchive can call back.
    let sink = Unmanaged<TarMemorySink>.fromOpaque(context).takeUnretainedValue()
    sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}
