import AssayCrypto
import Foundation

extension TarArchive {
    /// Lists the entries of an untrusted gzip-compressed tar file, checking every header.
    ///
    /// Reads through the whole archive (decompressing it) without keeping data. Entries come in
    /// archive order with normalised paths; a `.` root directory entry is left out.
    ///
    /// - Throws: ``ArchiveError`` naming the archive and the first bad entry: a refused path or
    ///   entry type, a duplicate, a limit exceeded, or a malformed archive.
    public static func list(contentsOf path: String, limits: Limits = .default) throws(ArchiveError) -> [EntryInfo] {
        try list(.file(path), limits: limits)
    }

    /// Lists the entries of an untrusted gzip-compressed tar in memory; see
    /// ``list(contentsOf:limits:)``.
    public static func list(bytes: [UInt8], limits: Limits = .default) throws(ArchiveError) -> [EntryInfo] {
        try list(.memory(bytes), limits: limits)
    }

    /// Reads every entry of an untrusted gzip-compressed tar file into memory, checking each.
    ///
    /// Files come back as ``Entry/Content/bytes(_:)``, directories as
    /// ``Entry/Content/directory``, in archive order. Memory use is bounded by
    /// ``Limits/maxTotalSize``.
    ///
    /// - Throws: ``ArchiveError``, as ``list(contentsOf:limits:)``.
    public static func read(contentsOf path: String, limits: Limits = .default) throws(ArchiveError) -> [Entry] {
        try read(.file(path), limits: limits)
    }

    /// Reads every entry of an untrusted gzip-compressed tar in memory; see
    /// ``read(contentsOf:limits:)``.
    public static func read(bytes: [UInt8], limits: Limits = .default) throws(ArchiveError) -> [Entry] {
        try read(.memory(bytes), limits: limits)
    }

    /// Extracts an untrusted gzip-compressed tar file into a new directory.
    ///
    /// `directory` must not exist; its parent must. It is created with mode 0755, files with
    /// 0644 and directories with 0755 whatever the archive says, and files are opened with
    /// `O_EXCL | O_NOFOLLOW`. If any entry is refused, `directory` is removed again, so a
    /// failed extraction leaves nothing behind.
    ///
    /// - Returns: the entries extracted, in archive order.
    /// - Throws: ``ArchiveError``, as ``list(contentsOf:limits:)``, or
    ///   ``ArchiveError/Reason/fileSystem`` when the directory or a file cannot be created.
    @discardableResult
    public static func extract(
        contentsOf path: String, to directory: String, limits: Limits = .default
    ) throws(ArchiveError) -> [EntryInfo] {
        guard mkdir(directory, 0o755) == 0 else {
            let code = errno
            throw ArchiveError(
                .fileSystem, archive: path,
                detail: "cannot create the directory \(String(reflecting: directory)): \(String(cString: strerror(code)))",
                hint: code == EEXIST ? "Extract into a directory that does not exist yet" : "Check that the parent directory exists and is writable")
        }
        var infos: [EntryInfo] = []
        do throws(ArchiveError) {
            try scan(.file(path), limits: limits) { info, stream throws(ArchiveError) in
                let target = directory + "/" + info.path
                switch info.kind {
                case .directory:
                    try makeDirectories(target, entry: info.path)
                case .file:
                    if let slash = info.path.lastIndex(of: "/") {
                        try makeDirectories(directory + "/" + info.path[..<slash], entry: info.path)
                    }
                    let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
                    guard fd >= 0 else {
                        throw fileSystemError("cannot create \(String(reflecting: target))", entry: info.path)
                    }
                    defer { close(fd) }
                    try stream.forEachChunk { chunk throws(ArchiveError) in
                        guard writeAll(fd, chunk) else {
                            throw fileSystemError("cannot write \(String(reflecting: target))", entry: info.path)
                        }
                    }
                }
                infos.append(info)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error.with(archive: path)
        }
        return infos
    }

    // MARK: - Shared scanning

    private static func list(_ source: TarReader.Source, limits: Limits) throws(ArchiveError) -> [EntryInfo] {
        var infos: [EntryInfo] = []
        try scan(source, limits: limits) { info, _ throws(ArchiveError) in
            infos.append(info)
        }
        return infos
    }

    private static func read(_ source: TarReader.Source, limits: Limits) throws(ArchiveError) -> [Entry] {
        var entries: [Entry] = []
        try scan(source, limits: limits) { info, stream throws(ArchiveError) in
            switch info.kind {
            case .directory:
                entries.append(Entry(path: info.path, content: .directory))
            case .file:
                var bytes: [UInt8] = []
                bytes.reserveCapacity(Int(min(info.size, 1 << 24)))  // the size is untrusted
                try stream.forEachChunk { chunk throws(ArchiveError) in bytes.append(contentsOf: chunk) }
                entries.append(Entry(path: info.path, bytes: bytes))
            }
        }
        return entries
    }

    /// An entry's data, read in chunks with the size limits enforced on the bytes actually read.
    struct DataStream {
        fileprivate let reader: TarReader
        fileprivate let entry: String
        fileprivate let declaredSize: Int64
        fileprivate let limits: Limits
        fileprivate var totalBefore: Int64

        /// Calls `body` with each chunk of the entry's data.
        func forEachChunk(_ body: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void) throws(ArchiveError) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer { buffer.deallocate() }
            var count: Int64 = 0
            while true {
                let n = try reader.readData(into: buffer, entry: entry)
                if n == 0 { break }
                count += Int64(n)
                // libarchive stops at the declared size; these guard the limits regardless.
                if count > limits.maxEntrySize {
                    throw TarArchive.tooLarge(entry, size: count, limits: limits)
                }
                if totalBefore + count > limits.maxTotalSize {
                    throw TarArchive.totalTooLarge(entry, total: totalBefore + count, limits: limits)
                }
                try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
            if count != declaredSize {
                throw ArchiveError(
                    .malformedArchive, archive: reader.archiveName, entry: entry,
                    detail: "the entry declares \(declaredSize) bytes but holds \(count)",
                    hint: "The archive is truncated or corrupt; get a fresh copy")
            }
        }
    }

    /// Walks the archive, checking each header, and hands accepted entries to `body`.
    static func scan(
        _ source: TarReader.Source, limits: Limits,
        _ body: (EntryInfo, inout DataStream) throws(ArchiveError) -> Void
    ) throws(ArchiveError) {
        let reader = try TarReader(source: source)
        let archiveName = reader.archiveName
        var registry = PathRegistry()
        var count = 0
        var total: Int64 = 0
        var previous: String? = nil
        do throws(ArchiveError) {
            while let header = try reader.nextHeader(after: previous) {
                let raw = header.displayPath
                previous = raw
                count += 1
                if count > limits.maxEntries {
                    throw ArchiveError(
                        .tooManyEntries, entry: raw,
                        detail: "the archive has more than \(limits.maxEntries) entries",
                        hint: "Raise the entry limit only if you trust the archive")
                }
                guard let rawPath = header.path else {
                    throw ArchiveError(
                        .invalidPath, entry: raw, detail: "the path is not valid UTF-8",
                        hint: "Paths must be UTF-8; do not trust this archive")
                }
                let path = try normalizedPath(rawPath)
                let kind = try acceptedKind(header, raw: raw)
                if path.isEmpty {
                    // "." or "./": the archive root, which system tar writes for `tar -C dir .`.
                    if kind == .directory { continue }
                    throw ArchiveError(
                        .invalidPath, entry: raw, detail: "a file entry names the archive root",
                        hint: "Do not trust this archive")
                }
                let size = kind == .directory ? 0 : (header.size ?? 0)
                if size < 0 || size > limits.maxEntrySize {
                    throw tooLarge(raw, size: size, limits: limits)
                }
                if total + size > limits.maxTotalSize {
                    throw totalTooLarge(raw, total: total + size, limits: limits)
                }
                try registry.register(path, kind: kind, raw: raw)
                var stream = DataStream(
                    reader: reader, entry: raw, declaredSize: size, limits: limits, totalBefore: total)
                try body(EntryInfo(path: path, kind: kind, size: size), &stream)
                total += size
            }
        } catch {
            throw error.with(archive: archiveName)
        }
    }

    private static func acceptedKind(_ header: TarReader.RawHeader, raw: String) throws(ArchiveError) -> EntryKind {
        switch header.kind {
        case .file:
            return .file
        case .directory:
            return .directory
        case .symbolicLink:
            throw ArchiveError(
                .symbolicLink, entry: raw,
                detail: "the entry is a symbolic link to \(String(reflecting: header.linkTarget ?? ""))",
                hint: "Archives may hold only regular files and directories; do not trust this archive")
        case .hardLink:
            throw ArchiveError(
                .hardLink, entry: raw,
                detail: "the entry is a hard link to \(String(reflecting: header.linkTarget ?? ""))",
                hint: "Archives may hold only regular files and directories; do not trust this archive")
        case .characterDevice, .blockDevice, .fifo, .socket, .unknown:
            let what: String
            switch header.kind {
            case .characterDevice: what = "a character device"
            case .blockDevice: what = "a block device"
            case .fifo: what = "a FIFO"
            case .socket: what = "a socket"
            default: what = "of an unknown type"
            }
            throw ArchiveError(
                .specialFile, entry: raw, detail: "the entry is \(what)",
                hint: "Archives may hold only regular files and directories; do not trust this archive")
        }
    }

    fileprivate static func tooLarge(_ entry: String, size: Int64, limits: Limits) -> ArchiveError {
        ArchiveError(
            .entryTooLarge, entry: entry,
            detail: "the entry is \(size) bytes, over the limit of \(limits.maxEntrySize)",
            hint: "Raise the entry size limit only if you trust the archive")
    }

    fileprivate static func totalTooLarge(_ entry: String, total: Int64, limits: Limits) -> ArchiveError {
        ArchiveError(
            .totalSizeTooLarge, entry: entry,
            detail: "the entries up to this one expand to \(total) bytes, over the limit of \(limits.maxTotalSize)",
            hint: "Raise the total size limit only if you trust the archive")
    }

    private static func makeDirectories(_ path: String, entry: String) throws(ArchiveError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw ArchiveError(
                .fileSystem, entry: entry, detail: "cannot create the directory \(String(reflecting: path)): \(error)",
                hint: "Check free disk space and permissions")
        }
    }

    private static func fileSystemError(_ what: String, entry: String) -> ArchiveError {
        ArchiveError(
            .fileSystem, entry: entry, detail: "\(what): \(String(cString: strerror(errno)))",
            hint: "Check free disk space and permissions")
    }
}

/// Writes all of `chunk` to `fd`, retrying on EINTR; `false` on error (see `errno`).
private func writeAll(_ fd: Int32, _ chunk: UnsafeRawBufferPointer) -> Bool {
    guard var pointer = chunk.baseAddress else { return true }
    var remaining = chunk.count
    while remaining > 0 {
        let written = write(fd, pointer, remaining)
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        pointer += written
        remaining -= written
    }
    return true
}

extension TarArchive {
    /// A file of an archive read in one pass: its SHA-256 and size, and its bytes when small.
    struct FileDigest: Sendable {
        var path: String
        var size: Int64
        var sha256: String
        /// The bytes, for files of at most the size asked to be kept.
        var bytes: [UInt8]?
    }

    /// Reads an untrusted gzip-compressed tar file in one pass: every header is checked as
    /// ``list(contentsOf:limits:)`` checks it, and every file's SHA-256 is computed as its data
    /// streams by (bytes kept for files of at most `keepingUpTo`). Memory stays bounded whatever
    /// the archive's size.
    static func digests(contentsOf path: String, limits: Limits, keepingUpTo: Int) throws(ArchiveError) -> [FileDigest] {
        var files: [FileDigest] = []
        try scan(.file(path), limits: limits) { info, data throws(ArchiveError) in
            guard info.kind == .file else { return }
            var hasher: SHA256
            do { hasher = try SHA256() } catch { throw ArchiveError(.writeFailed, entry: info.path, detail: "SHA-256 is unavailable: \(error)", hint: "") }
            var kept: [UInt8]? = info.size <= Int64(keepingUpTo) ? [] : nil
            var hashFailure: (any Error)?
            try data.forEachChunk { chunk throws(ArchiveError) in
                do { try hasher.update(chunk) } catch { hashFailure = error }
                kept?.append(contentsOf: chunk)
            }
            if let hashFailure { throw ArchiveError(.writeFailed, entry: info.path, detail: "SHA-256 failed: \(hashFailure)", hint: "") }
            let digest: String
            do { digest = try hasher.finalize().hex } catch { throw ArchiveError(.writeFailed, entry: info.path, detail: "SHA-256 failed: \(error)", hint: "") }
            files.append(FileDigest(path: info.path, size: info.size, sha256: digest, bytes: kept))
        }
        return files
    }
}
