#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sorts entries (a byte-string key and a payload) of any number in bounded memory: entries
/// are kept in memory up to ``memoryBudget`` bytes, then sorted and spilled to a temporary
/// file (a "run"); ``drain(_:)`` merges the runs. Keys must hold no tab or line break and
/// payloads no line break (canonical JSON has none); keys must be unique for the order to be
/// total, which callers ensure by ending each key with a sequence number.
///
/// Spill files live in the workspace's `artifacts/tmp/`, named like the store's temporary files
/// (`partial-<pid>-…`) so that `assay fsck` knows them for a live writer's and
/// `assay fsck --repair` removes them after a crash; they are removed when the sorter is done.
///
/// - Complexity: O(n log n) comparisons; each entry is written and read once per merge pass
///   (one pass when there are at most ``fanIn`` runs, that is up to 128 × the budget).
final class ExternalSorter {
    /// Bytes of entries held before a run is spilled.
    let memoryBudget: Int
    /// Runs merged at once.
    static let fanIn = 128

    private let directory: String
    private var entries: [(key: [UInt8], payload: [UInt8])] = []
    private var held = 0
    private var runs: [String] = []
    private var counter = 0
    /// Entries added.
    private(set) var count = 0

    init(directory: String, memoryBudget: Int = 16 << 20) {
        self.directory = directory
        self.memoryBudget = memoryBudget
    }

    deinit {
        for run in runs { unlink(run) }
    }

    /// Adds one entry; may spill a run.
    func add(key: [UInt8], payload: [UInt8]) throws(PipelineError) {
        entries.append((key, payload))
        held += key.count + payload.count + 64
        count += 1
        if held >= memoryBudget { try spill() }
    }

    private func sortEntries() {
        entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
    }

    private func newRunPath() -> String {
        counter += 1
        var random = SystemRandomNumberGenerator()
        return directory + "/partial-\(getpid())-capture-sort-\(counter)-" + String(random.next() as UInt64, radix: 16)
    }

    private func spill() throws(PipelineError) {
        guard !entries.isEmpty else { return }
        sortEntries()
        let path = newRunPath()
        let writer = try SpillWriter(path: path)
        runs.append(path)
        for e in entries { try writer.write(e.key, e.payload) }
        try writer.close()
        entries.removeAll(keepingCapacity: false)
        held = 0
    }

    /// Calls `body` with every entry in key order, then forgets them all.
    func drain(_ body: (_ key: ArraySlice<UInt8>, _ payload: ArraySlice<UInt8>) throws -> Void) throws {
        defer {
            for run in runs { unlink(run) }
            runs = []
            entries = []
            held = 0
        }
        if runs.isEmpty {
            sortEntries()
            for e in entries { try body(e.key[...], e.payload[...]) }
            return
        }
        try spill()
        while runs.count > ExternalSorter.fanIn {
            var merged: [String] = []
            for start in stride(from: 0, to: runs.count, by: ExternalSorter.fanIn) {
                let group = Array(runs[start..<min(start + ExternalSorter.fanIn, runs.count)])
                let path = newRunPath()
                let writer = try SpillWriter(path: path)
                merged.append(path)
                try merge(group) { k, p in try writer.write(k, p) }
                try writer.close()
                for run in group { unlink(run) }
            }
            runs = merged
        }
        try merge(runs, body)
    }

    /// A k-way merge of sorted run files with a binary heap.
    private func merge(_ paths: [String], _ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) throws -> Void) throws {
        var readers: [LineReader] = []
        var heads: [ArraySlice<UInt8>?] = []
        for p in paths {
            let r = try LineReader(path: p, bufferSize: 1 << 16)
            readers.append(r)
            heads.append(try r.next().map { ArraySlice($0) })
        }
        func key(_ i: Int) -> ArraySlice<UInt8> {
            guard let line = heads[i] else { return [] }
            let tab = line.firstIndex(of: 0x09) ?? line.endIndex
            return line[line.startIndex..<tab]
        }
        func less(_ a: Int, _ b: Int) -> Bool {
            let ka = key(a), kb = key(b)
            if ka.elementsEqual(kb) { return a < b }
            return ka.lexicographicallyPrecedes(kb)
        }
        var heap = heads.indices.filter { heads[$0] != nil }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, less(heap[l], heap[m]) { m = l }
                if r < heap.count, less(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        while let top = heap.first, let line = heads[top] {
            let tab = line.firstIndex(of: 0x09) ?? line.endIndex
            let payloadStart = tab < line.endIndex ? tab + 1 : tab
            try body(line[line.startIndex..<tab], line[payloadStart..<line.endIndex])
            // The line's storage belongs to the reader; copy before advancing it.
            heads[top] = try readers[top].next().map { Array($0)[...] }
            if heads[top] == nil {
                heap.swapAt(0, heap.count - 1)
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
    }
}

/// Buffered writes of `key \t payload \n` lines to a new file.
final class SpillWriter {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var closed = false

    init(path: String) throws(PipelineError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .invalidInput(place: path, problem: "cannot create a temporary file (errno \(errno))", fix: "Check that the workspace is writable and has free space.")
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit { if !closed { Glibc.close(fd) } }

    func write(_ key: some Collection<UInt8>, _ payload: some Collection<UInt8>) throws(PipelineError) {
        buffer.append(contentsOf: key)
        buffer.append(0x09)
        buffer.append(contentsOf: payload)
        buffer.append(0x0a)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes raw bytes (no tab or line break added).
    func writeRaw(_ bytes: some Collection<UInt8>) throws(PipelineError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws(PipelineError) {
        var offset = 0
        let total = buffer.count
        while offset < total {
            let n = buffer.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress! + offset, total - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .invalidInput(place: path, problem: "write failed (errno \(errno))", fix: "Check that the workspace has free space.")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws(PipelineError) {
        try flush()
        closed = true
        Glibc.close(fd)
    }
}
