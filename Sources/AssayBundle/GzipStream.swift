import Foundation

/// Whole-file checks of a gzip stream, beyond what reading the tar inside it needs: the exact
/// header ``TarArchive`` writes, and the trailer's CRC-32 and length against the decompressed
/// bytes (libarchive stops reading at the tar's end marker, so a changed byte after it, or in
/// the header's time and OS fields, would otherwise go unnoticed).
/// The gzip framing Assay writes.
enum GzipStream {
    /// The 10-byte header of every gzip member Assay writes: deflate, no flags, no time, no
    /// extra flags, Unix.
    static let canonicalHeader: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]
}
