internal import CLibArchive
import Foundation

/// A thin tar reader over libarchive: gzip (or uncompressed) tar formats only, headers
/// reported as they are, no validation. ``TarArchive`` adds the checks. Not thread-safe.
final class TarReader {
    enum Source {
        case file(String)
        case memory([UInt8])
    }

    /// A header as stored, before any check.
    struct RawHeader {
        enum Kind: Equatable {
            case file, directory, symbolicLink, hardLink, characterDevice, blockDevice, fifo, socket
            case unknown(UInt32)
        }

        /// The path, or `nil` when it is not valid UTF-8.
        var path: String?
        /// The path for messages: lossy UTF-8 when ``path`` is `nil`.
        var displayPath: String
        var kind: Kind
        /// Declared size, when the header has one.
        var size: Int64?
        /// Link target for symbolic and hard links.
        var linkTarget: String?
    }

    private let archive: OpaquePointer
    private var memory: UnsafeMutableRawBufferPointer?
    let archiveName: String?

    init(source: Source) throws(ArchiveError) {
        _ = LibArchiveLocale.ensured
        guard let archive = archive_read_new() else {
            throw ArchiveError(.writeFailed, detail: "libarchive could not allocate a reader", hint: "Check free memory")
        }
        self.archive = archive
        switch source {
        case .file(let path):
            archiveName = path
        case .memory:
            archiveName = nil
        }
        // Only what a bundle can be: tar formats (ustar, pax, GNU), gzip or no compression.
        archive_read_support_filter_gzip(archive)
        archive_read_support_format_tar(archive)
        let status: Int32
        switch source {
        case .file(let path):
            status = archive_read_open_filename(archive, path, 64 * 1024)
        case .memory(let bytes):
            // libarchive reads the buffer lazily, so it must outlive this reader: own a copy.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            memory = buffer
            status = archive_read_open_memory(archive, buffer.baseAddress, bytes.count)
        }
        guard status == ARCHIVE_OK else {
            let message = libarchiveMessage(archive, "status \(status)")
            let missing = message.contains("No such file") || message.contains("Failed to open")
            throw ArchiveError(
                missing ? .fileSystem : .malformedArchive, archive: archiveName,
                detail: "cannot open the archive: \(message)",
                hint: missing ? "Check the path" : "Expected a gzip-compressed tar archive")
        }
    }

    deinit {
        archive_read_free(archive)
        memory?.deallocate()
    }

    /// The next header, or `nil` at the end of the archive. Skips the data of the previous entry
    /// if it was not read.
    func nextHeader(after previous: String?) throws(ArchiveError) -> RawHeader? {
        var entryPointer: OpaquePointer? = nil
        let status = archive_read_next_header(archive, &entryPointer)
        if status == ARCHIVE_EOF { return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry = entryPointer else {
            throw malformed(previous.map { "after entry \(String(reflecting: $0)): " } ?? "", status: status)
        }
        var path: String? = nil
        var display = ""
        if let utf8 = archive_entry_pathname_utf8(entry) {
            path = String(validatingCString: utf8)
            display = String(cString: utf8)
        } else if let raw = archive_entry_pathname(entry) {
            path = String(validatingCString: raw)
            display = String(cString: raw)
        }
        let kind: RawHeader.Kind
        var linkTarget: String? = nil
        if let hard = archive_entry_hardlink(entry) {
            kind = .hardLink
            linkTarget = String(cString: hard)
        } else {
            switch archive_entry_filetype(entry) {
            case 0o100000: kind = .file
            case 0o040000: kind = .directory
            case 0o120000:
                kind = .symbolicLink
                linkTarget = archive_entry_symlink(entry).map { String(cString: $0) }
            case 0o020000: kind = .characterDevice
            case 0o060000: kind = .blockDevice
            case 0o010000: kind = .fifo
            case 0o140000: kind = .socket
            case let other: kind = .unknown(UInt32(other))
            }
        }
        let size: Int64? = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil
        return RawHeader(path: path, displayPath: display, kind: kind, size: size, linkTarget: linkTarget)
    }

    /// Reads the current entry's data into `buffer`; 0 at the end of the entry.
    func readData(into buffer: UnsafeMutableRawBufferPointer, entry: String) throws(ArchiveError) -> Int {
        let count = archive_read_data(archive, buffer.baseAddress, buffer.count)
        guard count >= 0 else {
            throw malformed("in the data of entry \(String(reflecting: entry)): ", status: Int32(clamping: count))
        }
        return count
    }

    private func malformed(_ place: String, status: Int32) -> ArchiveError {
        ArchiveError(
            .malformedArchive, archive: archiveName,
            detail: "\(place)cannot read the archive: \(libarchiveMessage(archive, "status \(status)"))",
            hint: "The archive is truncated, corrupt or not a gzip-compressed tar; get a fresh copy")
    }
}
