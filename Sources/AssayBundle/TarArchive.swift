/// Gzip-compressed pax tar archives: a deterministic writer and a defensive reader.
///
/// Writing (``write(_:modificationTime:)`` and ``write(_:modificationTime:to:)``) gives the
/// same bytes for the same entries and time, in every process and build: pax format, entries
/// sorted by path, every mtime the caller's fixed time, uid and gid 0, empty user and group
/// names, mode 0644 for files and 0755 for directories, gzip without a timestamp or file name.
/// The gzip bytes also depend on the zlib library version; the tar stream inside does not.
///
/// Reading (``list(contentsOf:limits:)``, ``read(contentsOf:limits:)``,
/// ``extract(contentsOf:to:limits:)`` and their in-memory forms) treats the archive as
/// untrusted. It accepts only regular files and directories under relative paths and refuses,
/// with an ``ArchiveError`` naming the entry: absolute paths, `..` components, symbolic and hard
/// links, devices, FIFOs and sockets, duplicate paths, an entry over
/// ``Limits/maxEntrySize``, a total over ``Limits/maxTotalSize``, more entries than
/// ``Limits/maxEntries``. System `tar` (`tar -tzf`, `tar -xzf`) reads what the writer writes.
/// libarchive does not check the gzip CRC, so a flipped bit inside file data can go unnoticed:
/// check content hashes (a bundle's manifest lists them) before trusting the bytes.
///
/// Both sides use libarchive. Before the first archive is written or read, the process's
/// `LC_CTYPE` locale is set to `C.UTF-8` unless it already uses UTF-8: with the plain C
/// locale libarchive cannot convert non-ASCII paths (and crashes writing them).
///
/// ```swift
/// let bytes = try TarArchive.write([
///     .init(path: "manifest.json", bytes: Array(manifest)),
///     .init(path: "artifacts", content: .directory),
///     .init(path: "artifacts/sha256-ab12…", content: .file(path: blobPath)),
/// ], modificationTime: 1_700_000_000)
/// let entries = try TarArchive.read(bytes: bytes)
/// ```
public enum TarArchive {
    /// One archive member: a path and what it holds.
    public struct Entry: Sendable, Hashable {
        /// What an entry holds.
        public enum Content: Sendable, Hashable {
            /// A directory.
            case directory
            /// A regular file with these bytes.
            case bytes([UInt8])
            /// A regular file whose bytes are streamed from this file when writing. Never
            /// returned by reading.
            case file(path: String)
        }

        /// The path inside the archive: relative, `/`-separated, UTF-8, no `..` components.
        /// Writing removes `.` components, repeated and trailing slashes.
        public var path: String
        /// What the entry holds.
        public var content: Content

        /// An entry with the given content.
        public init(path: String, content: Content) {
            self.path = path
            self.content = content
        }

        /// A regular file with in-memory bytes.
        public init(path: String, bytes: [UInt8]) {
            self.init(path: path, content: .bytes(bytes))
        }

        /// The bytes of a ``Content/bytes(_:)`` entry; `nil` for directories and file sources.
        public var bytes: [UInt8]? {
            if case .bytes(let b) = content { return b }
            return nil
        }
    }

    /// What kind of entry: the only two kinds ``TarArchive`` writes or accepts.
    public enum EntryKind: String, Sendable, Hashable {
        /// A regular file.
        case file
        /// A directory.
        case directory
    }

    /// An entry's metadata, as ``list(contentsOf:limits:)`` reports it.
    public struct EntryInfo: Sendable, Hashable {
        /// The normalised path (no `./` prefix, no trailing `/`).
        public var path: String
        /// File or directory.
        public var kind: EntryKind
        /// Size in bytes; 0 for directories.
        public var size: Int64

        /// Metadata for an entry.
        public init(path: String, kind: EntryKind, size: Int64) {
            self.path = path
            self.kind = kind
            self.size = size
        }
    }

    /// Bounds on what reading accepts, so a hostile archive cannot exhaust memory or disk.
    public struct Limits: Sendable, Hashable {
        /// The largest size of one entry, in bytes (after decompression).
        public var maxEntrySize: Int64
        /// The largest sum of entry sizes, in bytes (after decompression).
        public var maxTotalSize: Int64
        /// The most entries, directories included.
        public var maxEntries: Int

        /// Limits as given; a negative value counts as 0 (nothing of that kind is accepted).
        public init(maxEntrySize: Int64, maxTotalSize: Int64, maxEntries: Int = 100_000) {
            self.maxEntrySize = max(0, maxEntrySize)
            self.maxTotalSize = max(0, maxTotalSize)
            self.maxEntries = max(0, maxEntries)
        }

        /// 1 GiB per entry, 4 GiB in all, 100,000 entries.
        public static let `default` = Limits(
            maxEntrySize: 1 << 30, maxTotalSize: 4 << 30, maxEntries: 100_000)
    }
}
