internal import CLibArchive
import Foundation

/// Whole-file checks of a gzip stream, beyond what reading the tar inside it needs: the exact
/// header ``TarArchive`` writes, and the trailer's CRC-32 and length against the decompressed
/// bytes (libarchive stops reading at the tar's end marker, so a changed byte after it, or in
/// the header's time and OS fields, would otherwise go unnoticed).
@_spi(Testing) public enum GzipStream {
    /// The 10-byte header of every gzip stream ``TarArchive`` writes: deflate, no flags, no
    /// time, no extra flags, Unix.
    static let canonicalHeader: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    /// A gzip file's decompressed bytes in chunks, with their CRC-32 and length kept as they pass.
    @_spi(Testing) public final class Reader {
        let path: String
        private let archive: OpaquePointer
        private let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
        public private(set) var crc: UInt32 = 0xFFFF_FFFF
        public private(set) var count: UInt64 = 0
        let limit: Int64
        /// Why reading stopped early, if it did.
        public private(set) var failure: String?

        public init(path: String, limit: Int64) throws(ArchiveError) {
            self.path = path
            self.limit = limit
            _ = LibArchiveLocale.ensured
            guard let archive = archive_read_new() else {
                throw ArchiveError(.writeFailed, detail: "libarchive could not allocate a reader", hint: "Check free memory")
            }
            self.archive = archive
            archive_read_support_filter_gzip(archive)
            archive_read_support_format_raw(archive)
            var entry: OpaquePointer?
            guard archive_read_open_filename(archive, path, 1 << 16) == ARCHIVE_OK, archive_read_next_header(archive, &entry) == ARCHIVE_OK else {
                // Every property is set, so deinit frees the reader and the buffer.
                let message = libarchiveMessage(archive, "open")
                throw ArchiveError(.malformedArchive, archive: path, detail: "cannot read the gzip stream: \(message)", hint: "Expected a gzip-compressed tar archive")
            }
        }

        deinit {
            archive_read_free(archive)
            buffer.deallocate()
        }

        /// libarchive's read callback: the next chunk (0 at the end, -1 on an error).
        func next(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
            let n = archive_read_data(archive, buffer, 1 << 16)
            guard n >= 0 else {
                failure = libarchiveMessage(archive, "data")
                return -1
            }
            count += UInt64(n)
            if Int64(count) > limit {
                failure = "decompresses to more than \(limit) bytes"
                return -1
            }
            crc = CRC32.update(crc, UnsafeRawBufferPointer(start: buffer, count: n))
            out.pointee = UnsafeRawPointer(buffer)
            return n
        }

        /// Reads what the tar reader left (the padding after the end marker).
        public func drain() {
            var pointer: UnsafeRawPointer?
            while failure == nil, next(&pointer) > 0 {}
        }
    }

    /// The problem with a gzip file's framing once `reader` read it all: the header must be the
    /// one Assay writes, and the trailer's CRC-32 and length those of the decompressed bytes.
    static func framingProblem(path: String, reader: Reader) -> String? {
        reader.drain()
        if let failure = reader.failure { return "the gzip stream does not decompress: \(failure)" }
        guard let handle = FileHandle(forReadingAtPath: path) else { return "cannot be read" }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 10), head.count == 10,
              let end = try? handle.seekToEnd(), end >= 18 else { return "the file is too short to be a gzip stream" }
        if let i = (0..<10).first(where: { head[head.startIndex + $0] != canonicalHeader[$0] }) {
            return "the gzip header differs from the one Assay writes at byte \(i)"
        }
        guard (try? handle.seek(toOffset: end - 8)) != nil, let tail = try? handle.read(upToCount: 8), tail.count == 8 else {
            return "cannot read the gzip trailer"
        }
        let t = [UInt8](tail)
        let crc = UInt32(t[0]) | UInt32(t[1]) << 8 | UInt32(t[2]) << 16 | UInt32(t[3]) << 24
        let size = UInt32(t[4]) | UInt32(t[5]) << 8 | UInt32(t[6]) << 16 | UInt32(t[7]) << 24
        if crc != reader.crc ^ 0xFFFF_FFFF || size != UInt32(truncatingIfNeeded: reader.count) {
            return "the gzip trailer does not match the decompressed stream (changed or extra bytes)"
        }
        return nil
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
        bytes.withUnsafeBytes { update(0xFFFF_FFFF, $0) } ^ 0xFFFF_FFFF
    }

    /// Continues a running CRC (pre-inverted: start from 0xFFFFFFFF, invert at the end) over
    /// `bytes`, eight bytes per step (slicing-by-8).
    static func update(_ start: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = start
        slices.withUnsafeBufferPointer { t in
            var i = 0
            let n = bytes.count
            while i + 8 <= n {
                let lo = c ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian
                let hi = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return c
    }

    /// Eight 256-entry tables: `slices[k·256 + b]` is the CRC of byte `b` followed by `k` zero bytes.
    static let slices: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 { t[b] = table[b] }
        for k in 1..<8 {
            for b in 0..<256 { t[k * 256 + b] = (t[(k - 1) * 256 + b] >> 8) ^ table[Int(t[(k - 1) * 256 + b] & 0xFF)] }
        }
        return t
    }()
}
