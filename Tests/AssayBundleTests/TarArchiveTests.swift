import Foundation
import Testing

@_spi(Testing) import AssayBundle

// MARK: - Helpers

/// A fresh temporary directory, removed by `cleanUp()`.
private struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "assay-tar-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Runs a system tool and returns its stdout; records stderr and the status on failure.
private func run(_ tool: String, _ arguments: [String], in directory: String? = nil) throws -> (status: Int32, stdout: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["TZ"] = "UTC"
    environment["LC_ALL"] = "C.UTF-8"
    process.environment = environment
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        Issue.record("\(tool) \(arguments) exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self))")
    }
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self))
}

/// Deterministic pseudo-random bytes (xorshift64*), so no test depends on the stdlib RNG.
private func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    while bytes.count < count {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        let word = state &* 0x2545_F491_4F6C_DD1D
        withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0.prefix(count - bytes.count)) }
    }
    return bytes
}

/// Builds an archive header by header with the low-level writer, in the order given, with no
/// validation: how the hostile archives below are made.
private func craft(_ headers: [(TarWriter.Header, [UInt8])]) throws -> [UInt8] {
    let writer = try TarWriter(destination: .memory)
    for (header, data) in headers {
        try writer.write(header)
        try data.withUnsafeBytes { try writer.writeData($0, entry: header.path) }
    }
    return try writer.finish()
}

private func file(_ path: String, _ data: [UInt8] = Array("x".utf8)) -> (TarWriter.Header, [UInt8]) {
    (TarWriter.Header(path: path, kind: .file, size: Int64(data.count), modificationTime: 0), data)
}

private func special(_ path: String, _ kind: TarWriter.Header.Kind) -> (TarWriter.Header, [UInt8]) {
    (TarWriter.Header(path: path, kind: kind, modificationTime: 0), [])
}

private let fixedTime: Int64 = 1_700_000_000  // 2023-11-14 22:13:20 UTC

private let sampleEntries: [TarArchive.Entry] = [
    .init(path: "manifest.json", bytes: Array(#"{"files":2}"#.utf8)),
    .init(path: "results", content: .directory),
    .init(path: "results/drift.json", bytes: Array(#"{"p_val":0.01}"#.utf8)),
    .init(path: "results/empty.bin", bytes: []),
    .init(path: "données/résumé-😀.txt", bytes: Array("non-ASCII path ✓\n".utf8)),
    .init(path: "artifacts/blob.bin", bytes: pseudoRandomBytes(count: 300_000, seed: 7)),
    .init(path: "VERIFY.txt", bytes: Array("sha256sum -c SHA256SUMS\n".utf8)),
]

private func sortedByPath(_ entries: [TarArchive.Entry]) -> [TarArchive.Entry] {
    entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
}

// MARK: - Writing

@Suite("TarArchive: deterministic writing")
struct TarArchiveWriteTests {
    @Test("writing twice gives identical bytes, whatever the input order")
    func deterministic() throws {
        let first = try TarArchive.write(sampleEntries, modificationTime: fixedTime)
        let second = try TarArchive.write(sampleEntries, modificationTime: fixedTime)
        let shuffled = try TarArchive.write(sampleEntries.reversed(), modificationTime: fixedTime)
        #expect(first == second)
        #expect(first == shuffled)
        let later = try TarArchive.write(sampleEntries, modificationTime: fixedTime + 1)
        #expect(first != later)
    }

    @Test("the gzip header has no timestamp and no file name")
    func gzipHeader() throws {
        let bytes = try TarArchive.write(sampleEntries, modificationTime: fixedTime)
        #expect(bytes.count > 18)
        #expect(bytes[0] == 0x1F && bytes[1] == 0x8B && bytes[2] == 8)  // gzip, deflate
        #expect(bytes[3] & 0x08 == 0)  // no FNAME
        #expect(bytes[4..<8].allSatisfy { $0 == 0 })  // MTIME 0
    }

    @Test("writing to a file gives the same bytes as writing to memory, and never overwrites")
    func toFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("bundle.tar.gz")
        try TarArchive.write(sampleEntries, modificationTime: fixedTime, to: path)
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(onDisk == (try TarArchive.write(sampleEntries, modificationTime: fixedTime)))
        let error = try #require(throws: ArchiveError.self) {
            try TarArchive.write(sampleEntries, modificationTime: fixedTime, to: path)
        }
        #expect(error.reason == .fileSystem)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == onDisk)
    }

    @Test("a failed write to a file leaves no file behind")
    func failedWriteRemovesFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("bundle.tar.gz")
        let error = try #require(throws: ArchiveError.self) {
            try TarArchive.write(
                [.init(path: "a", content: .file(path: dir.file("missing")))], modificationTime: 0, to: path)
        }
        #expect(error.reason == .fileSystem)
        #expect(error.entry == "a")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("system tar lists the archive, with fixed owner, mode and time")
    func systemTarLists() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("bundle.tar.gz")
        try TarArchive.write(sampleEntries, modificationTime: fixedTime, to: path)

        let listing = try run("/usr/bin/tar", ["-tzf", path])
        #expect(listing.status == 0)
        let names = listing.stdout.split(separator: "\n").map(String.init)
        #expect(
            names == [
                "VERIFY.txt", "artifacts/blob.bin", "données/résumé-😀.txt", "manifest.json", "results/",
                "results/drift.json", "results/empty.bin",
            ])

        let verbose = try run("/usr/bin/tar", ["--numeric-owner", "-tvzf", path])
        let lines = verbose.stdout.split(separator: "\n")
        #expect(lines.count == 7)
        for line in lines {
            let isDirectory = line.hasPrefix("d")
            #expect(line.hasPrefix(isDirectory ? "drwxr-xr-x 0/0" : "-rw-r--r-- 0/0"), "\(line)")
            #expect(line.contains("2023-11-14 22:13"), "\(line)")
        }
    }

    @Test("system tar extracts the same bytes")
    func systemTarExtracts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("bundle.tar.gz")
        try TarArchive.write(sampleEntries, modificationTime: fixedTime, to: path)
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: false)
        #expect(try run("/usr/bin/tar", ["-xzf", path, "-C", dir.file("out")]).status == 0)
        for entry in sampleEntries {
            guard let bytes = entry.bytes else { continue }
            let extracted = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("out/" + entry.path))))
            #expect(extracted == bytes, "\(entry.path)")
        }
    }

    @Test("files are streamed from disk")
    func streamedFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let data = pseudoRandomBytes(count: 1_000_003, seed: 11)
        try Data(data).write(to: URL(fileURLWithPath: dir.file("source.bin")))
        let streamed = try TarArchive.write(
            [.init(path: "big.bin", content: .file(path: dir.file("source.bin")))], modificationTime: fixedTime)
        let inMemory = try TarArchive.write([.init(path: "big.bin", bytes: data)], modificationTime: fixedTime)
        #expect(streamed == inMemory)
        #expect(try TarArchive.read(bytes: streamed) == [.init(path: "big.bin", bytes: data)])

        let notRegular = try #require(throws: ArchiveError.self) {
            try TarArchive.write([.init(path: "d", content: .file(path: dir.path))], modificationTime: 0)
        }
        #expect(notRegular.reason == .fileSystem)
        #expect(notRegular.detail.contains("not a regular file"))
    }

    @Test("paths are normalised; bad or clashing paths are refused", arguments: [
        ([TarArchive.Entry(path: "/etc/passwd", bytes: [])], ArchiveError.Reason.absolutePath, "/etc/passwd"),
        ([.init(path: "a/../../b", bytes: [])], .parentDirectoryComponent, "a/../../b"),
        ([.init(path: "", bytes: [])], .invalidPath, ""),
        ([.init(path: "./", content: .directory)], .invalidPath, "./"),
        ([.init(path: "a\\b", bytes: [])], .invalidPath, "a\\b"),
        ([.init(path: "line\nbreak", bytes: [])], .invalidPath, "line\nbreak"),
        ([.init(path: "a", bytes: []), .init(path: "./a", bytes: [1])], .duplicatePath, "a"),
        ([.init(path: "a", bytes: []), .init(path: "a/b", bytes: [])], .pathConflict, "a/b"),
        ([.init(path: String(repeating: "n", count: 256), bytes: [])], .invalidPath, String(repeating: "n", count: 256)),
    ])
    func refusedPaths(entries: [TarArchive.Entry], reason: ArchiveError.Reason, entry: String) {
        do {
            _ = try TarArchive.write(entries, modificationTime: 0)
            Issue.record("wrote \(entries.map(\.path))")
        } catch {
            #expect(error.reason == reason, "\(error)")
            #expect(error.entry == entry, "\(error)")
        }
    }

    @Test("normalised paths are what gets written")
    func normalisation() throws {
        let bytes = try TarArchive.write(
            [.init(path: "./a//b/", content: .directory), .init(path: "a/b/./c.txt", bytes: [1, 2])],
            modificationTime: 0)
        #expect(try TarArchive.list(bytes: bytes).map(\.path) == ["a/b", "a/b/c.txt"])
    }
}

// MARK: - Reading

@Suite("TarArchive: reading")
struct TarArchiveReadTests {
    @Test("reading returns the entries written, sorted and normalised")
    func roundTrip() throws {
        let bytes = try TarArchive.write(sampleEntries, modificationTime: fixedTime)
        let entries = try TarArchive.read(bytes: bytes)
        #expect(entries == sortedByPath(sampleEntries))
        let infos = try TarArchive.list(bytes: bytes)
        #expect(infos.map(\.path) == sortedByPath(sampleEntries).map(\.path))
        #expect(infos.first { $0.path == "artifacts/blob.bin" }?.size == 300_000)
        #expect(infos.first { $0.path == "results" }?.kind == .directory)
    }

    @Test("reading from a file and extracting give the same entries")
    func fromFileAndExtract() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("bundle.tar.gz")
        try TarArchive.write(sampleEntries, modificationTime: fixedTime, to: path)
        #expect(try TarArchive.read(contentsOf: path) == sortedByPath(sampleEntries))
        #expect(try TarArchive.list(contentsOf: path).count == sampleEntries.count)

        let out = dir.file("out")
        let extracted = try TarArchive.extract(contentsOf: path, to: out)
        #expect(extracted.count == sampleEntries.count)
        for entry in sampleEntries {
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: out + "/" + entry.path, isDirectory: &isDirectory))
            if let bytes = entry.bytes {
                #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: out + "/" + entry.path))) == bytes)
            } else {
                #expect(isDirectory.boolValue)
            }
        }
        let again = try #require(throws: ArchiveError.self) { try TarArchive.extract(contentsOf: path, to: out) }
        #expect(again.reason == .fileSystem)
    }

    @Test("archives made by system tar are read, with the ./ root left out")
    func systemTarArchive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try FileManager.default.createDirectory(atPath: dir.file("src/sub"), withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: dir.file("src/sub/é.txt")))
        try Data().write(to: URL(fileURLWithPath: dir.file("src/empty")))
        #expect(try run("/usr/bin/tar", ["-czf", dir.file("t.tar.gz"), "-C", dir.file("src"), "."]).status == 0)
        let entries = try TarArchive.read(contentsOf: dir.file("t.tar.gz"))
        #expect(
            sortedByPath(entries) == [
                .init(path: "empty", bytes: []), .init(path: "sub", content: .directory),
                .init(path: "sub/é.txt", bytes: Array("hello\n".utf8)),
            ])
    }

    /// One hostile archive per rule, each with exactly one problem.
    static let hostile: [(name: String, headers: [(TarWriter.Header, [UInt8])], reason: ArchiveError.Reason, entry: String)] = [
        ("absolute path", [file("ok.txt"), file("/etc/cron.d/evil")], .absolutePath, "/etc/cron.d/evil"),
        ("parent component", [file("a/../../evil")], .parentDirectoryComponent, "a/../../evil"),
        ("bare parent", [file("..")], .parentDirectoryComponent, ".."),
        ("backslash", [file("..\\evil")], .invalidPath, "..\\evil"),
        ("symbolic link", [special("link", .symbolicLink(target: "/etc/passwd"))], .symbolicLink, "link"),
        ("symbolic link then write through it",
         [special("d", .symbolicLink(target: "/tmp")), file("d/evil")], .symbolicLink, "d"),
        ("hard link", [file("a"), special("b", .hardLink(target: "a"))], .hardLink, "b"),
        ("character device", [special("dev/null", .characterDevice)], .specialFile, "dev/null"),
        ("block device", [special("sda", .blockDevice)], .specialFile, "sda"),
        ("fifo", [special("pipe", .fifo)], .specialFile, "pipe"),
        ("duplicate path", [file("a.txt"), file("b.txt"), file("./a.txt")], .duplicatePath, "./a.txt"),
        ("file used as a directory", [file("a"), file("a/b")], .pathConflict, "a/b"),
        ("directory replaced by a file", [file("a/b"), file("a")], .pathConflict, "a"),
        ("control character", [file("bad\u{1B}[2Jname")], .invalidPath, "bad\u{1B}[2Jname"),
    ]

    @Test("hostile archives are refused, naming the entry", arguments: hostile.indices)
    func hostileArchive(index: Int) throws {
        let c = Self.hostile[index]
        let bytes = try craft(c.headers)
        for attempt in ["list", "read"] {
            do {
                if attempt == "list" { _ = try TarArchive.list(bytes: bytes) } else { _ = try TarArchive.read(bytes: bytes) }
                Issue.record("\(c.name): \(attempt) accepted the archive")
            } catch {
                #expect(error.reason == c.reason, "\(c.name): \(error)")
                #expect(error.entry == c.entry, "\(c.name): \(error)")
                #expect(error.description.contains(String(reflecting: c.entry)), "\(c.name): \(error)")
                #expect(error.category == .usage)
            }
        }
    }

    @Test("a refused extraction leaves nothing behind")
    func extractRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.file("evil.tar.gz")
        try Data(craft([file("fine.txt"), file("sub/ok.txt"), file("../escape.txt")])).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: ArchiveError.self) {
            try TarArchive.extract(contentsOf: path, to: dir.file("out"))
        }
        #expect(error.reason == .parentDirectoryComponent)
        #expect(error.archive == path)
        #expect(error.description.hasPrefix(path + ": entry \"../escape.txt\": the path has a '..' component."))
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("escape.txt")))
    }

    @Test("an entry over the size limit is refused, even when it compresses to almost nothing")
    func entryTooLarge() throws {
        let zeros = [UInt8](repeating: 0, count: 2 << 20)
        let bytes = try craft([file("small", [1, 2, 3]), file("bomb", zeros)])
        #expect(bytes.count < 20_000)
        let limits = TarArchive.Limits(maxEntrySize: 1 << 20, maxTotalSize: 1 << 30)
        let error = try #require(throws: ArchiveError.self) { try TarArchive.read(bytes: bytes, limits: limits) }
        #expect(error.reason == .entryTooLarge)
        #expect(error.entry == "bomb")
        #expect(try TarArchive.read(bytes: bytes, limits: .default).count == 2)
    }

    @Test("entries adding up over the total limit are refused at the entry that crosses it")
    func totalTooLarge() throws {
        let chunk = [UInt8](repeating: 0x41, count: 400_000)
        let bytes = try craft([file("a", chunk), file("b", chunk), file("c", chunk)])
        let limits = TarArchive.Limits(maxEntrySize: 1 << 20, maxTotalSize: 1_000_000)
        let error = try #require(throws: ArchiveError.self) { try TarArchive.list(bytes: bytes, limits: limits) }
        #expect(error.reason == .totalSizeTooLarge)
        #expect(error.entry == "c")
    }

    @Test("too many entries are refused")
    func tooManyEntries() throws {
        let bytes = try craft((0..<20).map { file("f\($0)") })
        let limits = TarArchive.Limits(maxEntrySize: 1 << 20, maxTotalSize: 1 << 20, maxEntries: 10)
        let error = try #require(throws: ArchiveError.self) { try TarArchive.list(bytes: bytes, limits: limits) }
        #expect(error.reason == .tooManyEntries)
        #expect(error.entry == "f10")
    }

    @Test("hostile archives made by system tar are refused too")
    func systemTarHostile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        try FileManager.default.createDirectory(atPath: dir.file("src"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir.file("src/target")))
        try FileManager.default.createSymbolicLink(atPath: dir.file("src/link"), withDestinationPath: "/etc/passwd")
        try FileManager.default.linkItem(atPath: dir.file("src/target"), toPath: dir.file("src/hard"))
        #expect(try run("/usr/bin/tar", ["-czf", dir.file("links.tar.gz"), "-C", dir.file("src"), "link"]).status == 0)
        #expect(try run("/usr/bin/tar", ["-czf", dir.file("hard.tar.gz"), "-C", dir.file("src"), "target", "hard"]).status == 0)
        #expect(try run("/usr/bin/tar", ["-czPf", dir.file("abs.tar.gz"), dir.file("src/target")]).status == 0)

        let symlink = try #require(throws: ArchiveError.self) { try TarArchive.list(contentsOf: dir.file("links.tar.gz")) }
        #expect(symlink.reason == .symbolicLink)
        #expect(symlink.entry == "link")
        let hard = try #require(throws: ArchiveError.self) { try TarArchive.list(contentsOf: dir.file("hard.tar.gz")) }
        #expect(hard.reason == .hardLink)
        #expect(hard.entry == "hard")
        let absolute = try #require(throws: ArchiveError.self) { try TarArchive.list(contentsOf: dir.file("abs.tar.gz")) }
        #expect(absolute.reason == .absolutePath)
        #expect(absolute.entry == dir.file("src/target"))
    }

    @Test("truncated, corrupt and foreign bytes are malformed archives")
    func malformed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let good = try TarArchive.write(sampleEntries, modificationTime: fixedTime)
        // A tar header with a wrong checksum: decompress with system gzip, flip a byte in the
        // first header's name field, compress again.
        try Data(good).write(to: URL(fileURLWithPath: dir.file("good.tar.gz")))
        #expect(try run("/usr/bin/gzip", ["-d", dir.file("good.tar.gz")]).status == 0)
        var tar = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("good.tar"))))
        tar[3] ^= 0x20
        try Data(tar).write(to: URL(fileURLWithPath: dir.file("bad.tar")))
        #expect(try run("/usr/bin/gzip", ["-n", dir.file("bad.tar")]).status == 0)
        let badChecksum = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("bad.tar.gz"))))
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated", Array(good.prefix(good.count / 2))),
            ("bad header checksum", badChecksum),
            ("bad header checksum, uncompressed", tar),
            ("not an archive", Array("just some text, not a tar file at all\n".utf8)),
            ("zip", [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 100)),
        ]
        for (name, bytes) in cases {
            let error = try #require(throws: ArchiveError.self, "\(name)") { try TarArchive.read(bytes: bytes) }
            #expect(error.reason == .malformedArchive, "\(name): \(error)")
        }
        let missing = try #require(throws: ArchiveError.self) { try TarArchive.list(contentsOf: "/nonexistent/x.tar.gz") }
        #expect(missing.reason == .fileSystem)
        #expect(missing.archive == "/nonexistent/x.tar.gz")
    }
}
