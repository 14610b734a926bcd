import Foundation

extension TarArchive {
    /// Writes a deterministic gzip-compressed pax tar archive in memory.
    ///
    /// Entries are sorted by path (UTF-8 bytes); every header has mtime `modificationTime`,
    /// uid and gid 0, empty user and group names, mode 0644 (files) or 0755 (directories).
    /// Parent directories are not added implicitly. The same entries and time give the same
    /// bytes in every process and build (with the same zlib).
    ///
    /// - Parameters:
    ///   - entries: the members, in any order. Paths are normalised (`./a//b/` is `a/b`).
    ///   - modificationTime: seconds since 1970-01-01 UTC, written into every header. Pass a time
    ///     recorded with the data (a run's start, say), never the current time.
    /// - Throws: ``ArchiveError``: ``ArchiveError/Reason/invalidPath``,
    ///   ``ArchiveError/Reason/absolutePath``, ``ArchiveError/Reason/parentDirectoryComponent``,
    ///   ``ArchiveError/Reason/duplicatePath`` or ``ArchiveError/Reason/pathConflict`` for bad
    ///   entries; ``ArchiveError/Reason/fileSystem`` when a ``Entry/Content/file(path:)`` source
    ///   cannot be read or changes size while being read.
    public static func write(_ entries: [Entry], modificationTime: Int64) throws(ArchiveError) -> [UInt8] {
        let sorted = try prepare(entries)
        let writer = try TarWriter(destination: .memory)
        try write(sorted, modificationTime: modificationTime, with: writer)
        return try writer.finish()
    }

    /// Writes a deterministic gzip-compressed pax tar archive to a new file.
    ///
    /// Same bytes as ``write(_:modificationTime:)``, streamed, so file sources are never held in
    /// memory whole. The file must not exist; it is flushed with `fsync` before this returns,
    /// and removed if writing fails. For an atomic export, write to a temporary name in the
    /// target directory and rename.
    public static func write(_ entries: [Entry], modificationTime: Int64, to path: String) throws(ArchiveError) {
        let sorted = try prepare(entries)
        let writer = try TarWriter(destination: .file(path))
        do throws(ArchiveError) {
            try write(sorted, modificationTime: modificationTime, with: writer)
            _ = try writer.finish()
        } catch {
            unlink(path)
            throw error.with(archive: path)
        }
    }

    /// Writes the entries (validated and sorted as ``write(_:modificationTime:)`` does) as an
    /// uncompressed pax tar stream into `sink`, end marker included.
    static func write(_ entries: [Entry], modificationTime: Int64, uncompressedTo sink: any TarStreamSink) throws(ArchiveError) {
        let sorted = try prepare(entries)
        let writer = try TarWriter(destination: .uncompressed(sink))
        try write(sorted, modificationTime: modificationTime, with: writer)
        _ = try writer.finish()
    }

    /// Validates and normalises paths, refuses duplicates, sorts by UTF-8 bytes.
    private static func prepare(_ entries: [Entry]) throws(ArchiveError) -> [Entry] {
        var registry = PathRegistry()
        var normalized: [Entry] = []
        normalized.reserveCapacity(entries.count)
        // Register in sorted order so a conflict is reported the same way whatever the input order.
        let sortedInput = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        for entry in sortedInput {
            let path = try normalizedPath(entry.path)
            if path.isEmpty {
                throw ArchiveError(
                    .invalidPath, entry: entry.path, detail: "the path names the archive root",
                    hint: "Give the entry a file or directory name")
            }
            let kind: EntryKind = entry.content == .directory ? .directory : .file
            try registry.register(path, kind: kind, raw: entry.path)
            normalized.append(Entry(path: path, content: entry.content))
        }
        normalized.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return normalized
    }

    private static func write(_ entries: [Entry], modificationTime: Int64, with writer: TarWriter) throws(ArchiveError) {
        for entry in entries {
            switch entry.content {
            case .directory:
                try writer.write(.init(path: entry.path, kind: .directory, modificationTime: modificationTime))
            case .bytes(let bytes):
                try writer.write(
                    .init(path: entry.path, kind: .file, size: Int64(bytes.count), modificationTime: modificationTime))
                // withUnsafeBytes rethrows untyped; carry the typed error out in a Result.
                try bytes.withUnsafeBytes { buffer in
                    Result { () throws(ArchiveError) in try writer.writeData(buffer, entry: entry.path) }
                }.get()
            case .file(let source):
                try streamFile(source, as: entry.path, modificationTime: modificationTime, with: writer)
            }
        }
    }

    /// Streams a regular file into the archive, refusing one that changes size meanwhile.
    private static func streamFile(
        _ source: String, as path: String, modificationTime: Int64, with writer: TarWriter
    ) throws(ArchiveError) {
        func failure(_ what: String, hint: String = "Check the file") -> ArchiveError {
            ArchiveError(.fileSystem, entry: path, detail: "\(what) \(String(reflecting: source))", hint: hint)
        }
        let fd = open(source, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw failure("cannot open \(String(cString: strerror(errno))):")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw failure("cannot stat \(String(cString: strerror(errno))):")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw failure("is not a regular file:", hint: "Archive regular files only")
        }
        let size = Int64(info.st_size)
        try writer.write(.init(path: path, kind: .file, size: size, modificationTime: modificationTime))
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        var remaining = size
        while remaining > 0 {
            let want = Int(min(Int64(chunk.count), remaining))
            let got = readRetrying(fd, chunk.baseAddress, want)
            if got < 0 {
                throw failure("cannot read \(String(cString: strerror(errno))):")
            }
            if got == 0 {
                throw failure("shrank while being archived:", hint: "Do not change files while exporting")
            }
            try writer.writeData(UnsafeRawBufferPointer(rebasing: chunk[0..<got]), entry: path)
            remaining -= Int64(got)
        }
        var extra: UInt8 = 0
        if readRetrying(fd, &extra, 1) > 0 {
            throw failure("grew while being archived:", hint: "Do not change files while exporting")
        }
    }
}

/// `read(2)`, retried on EINTR.
private func readRetrying(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    while true {
        let n = read(fd, buffer, count)
        if n >= 0 || errno != EINTR { return n }
    }
}
