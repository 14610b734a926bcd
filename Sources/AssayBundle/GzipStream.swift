internal import CLibArchive
import Foundation

/// Whole-file checks of a gzip stream, beyond what reading the tar inside it needs: the exact
/// header ``TarArchive`` writes, and the trailer's CRC-32 and length against the decompressed
/// bytes (libarchive stops reading at the tar's end marker, so a changed byte after it, or in
/// the header's time and OS fields, would otherwise go unnoticed).
enum GzipStream {
    /// The 10-byte header of every gzip stream ``TarArchive`` writes: deflate, no flags, no
    /// time, no extra flags, Unix.
    static let canonicalHeader: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    /// The problem with `file`'s gzip framing, or `nil` when the header is the canonical one and
    /// the trailer matches the decompressed stream (at most `limit` bytes).
    static func framingProblem(of file: [UInt8], path: String, limit: Int64) -> String? {
        guard file.count >= 18 else { return "the file is too short to be a gzip stream" }
        if let i = (0..<10).first(where: { file[$0] != canonicalHeader[$0] }) {
            return "the gzip header differs from the one Assay writes at byte \(i)"
        }
        let stream: [UInt8]
        do { stream = try decompress(path: path, limit: limit) } catch {
            return "the gzip stream does not decompress: \(error.description)"
        }
        let t = file.count - 8
        let crc = UInt32(file[t]) | UInt32(file[t + 1]) << 8 | UInt32(file[t + 2]) << 16 | UInt32(file[t + 3]) << 24
        let size = UInt32(file[t + 4]) | UInt32(file[t + 5]) << 8 | UInt32(file[t + 6]) << 16 | UInt32(file[t + 7]) << 24
        if crc != CRC32.checksum(stream) || size != UInt32(truncatingIfNeeded: stream.count) {
            return "the gzip trailer does not match the decompressed stream (changed or extra bytes)"
        }
        return nil
    }

    /// Every decompressed byte of the gzip file at `path`, at most `limit`.
    static func decompress(path: String, limit: Int64) throws(ArchiveError) -> [UInt8] {
        _ = LibArchiveLocale.ensured
        guard let archive = archive_read_new() else {
            throw ArchiveError(.writeFailed, detail: "libarchive could not allocate a reader", hint: "Check free memory")
        }
        defer { archive_read_free(archive) }
        archive_read_support_filter_gzip(archive)
        archive_read_support_format_raw(archive)
        guard archive_read_open_filename(archive, path, 64 * 1024) == ARCHIVE_OK else {
            throw ArchiveError(.malformedArchive, archive: path, detail: "cannot open the gzip stream: \(libarchiveMessage(archive, "open"))", hint: "Expected a gzip file")
        }
        var entry: OpaquePointer?
        guard archive_read_next_header(archive, &entry) == ARCHIVE_OK else {
            throw ArchiveError(.malformedArchive, archive: path, detail: libarchiveMessage(archive, "header"), hint: "Expected a gzip file")
        }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if n == 0 { break }
            guard n > 0 else {
                throw ArchiveError(.malformedArchive, archive: path, detail: libarchiveMessage(archive, "data"), hint: "The gzip stream is damaged")
            }
            out.append(contentsOf: chunk[0..<n])
            guard Int64(out.count) <= limit else {
                throw ArchiveError(.totalSizeTooLarge, archive: path, detail: "decompresses to more than \(limit) bytes", hint: "A bundle this large is refused")
            }
        }
        return out
    }
}

/// CRC-32 as gzip computes it (IEEE 802.3, reflected, polynomial 0xEDB88320).
@_spi(Testing) public enum CRC32 {
    public static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}
