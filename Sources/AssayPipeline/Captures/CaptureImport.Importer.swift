#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AssayStore
import Foundation

extension CaptureImport {
    /// One import: read, join, sort, write.
    struct Importer {
        let workspace: Workspace
        /// The file as the user named it, for messages.
        let place: String
        /// The stored copy that is read (immutable, so what is read is what was hashed).
        let sourcePath: String
        let options: Options
        var summary: CaptureSummary

        var temporaryDirectory: String { workspace.root + "/artifacts/tmp" }

        /// Pending halves kept per request id before the oldest is given up as unpaired.
        static let maximumPending = 1024
        static let maximumSignatures = 64

        init(workspace: Workspace, place: String, sourcePath: String, options: Options, summary: CaptureSummary) {
            self.workspace = workspace
            self.place = place
            self.sourcePath = sourcePath
            self.options = options
            self.summary = summary
        }

        mutating func run(_ run: RunRecorder) throws -> ArtifactID {
            let joinSort = ExternalSorter(directory: temporaryDirectory, memoryBudget: options.sortMemoryBudget)
            let timeSort = ExternalSorter(directory: temporaryDirectory, memoryBudget: options.sortMemoryBudget)
            let quarantine = try QuarantineWriter(path: temporaryPath("quarantine"))
            defer { quarantine.discard() }
            var signatures: [String: Int] = [:]
            var sequence = 0

            // 1. Read the source; halves with a request id go to the join sort.
            let next = try source()
            var baseEvents = 0
            if let base = options.capture {
                try CaptureImport.readEvents(of: base, in: workspace) { event in
                    sequence += 1
                    baseEvents += 1
                    try admit(event, sequence: sequence, into: joinSort, timeSort: timeSort, signatures: &signatures)
                }
            }
            var firstProblem: String?
            while let item = try next() {
                switch item {
                case .event(let e):
                    sequence += 1
                    try admit(e, sequence: sequence, into: joinSort, timeSort: timeSort, signatures: &signatures)
                case .bad(let line, let raw, let problem):
                    let where_ = "\(place): line \(line)"
                    if options.onError == .fail {
                        throw PipelineError.invalidInput(place: where_, problem: problem.problem,
                                                         fix: (problem.fix.isEmpty ? "" : problem.fix + " ") + "Or pass --on-error skip to keep bad records in a quarantine artifact and import the rest.")
                    }
                    firstProblem = firstProblem ?? "\(where_): \(problem.problem)"
                    summary.quarantined += 1
                    try quarantine.write(line: line, problem: problem.problem, raw: raw)
                case .ignored(let type):
                    summary.ignored[type, default: 0] += 1
                }
            }

            // 2. Join: groups of one request id (and model) in input order, truth first.
            var group: [UInt8] = []
            var state = GroupState()
            try joinSort.drain { key, payload in
                let parts = key.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count == 4, let seq = Int(String(decoding: parts[3], as: UTF8.self)),
                    let event = CaptureEvent(json: try JSONValue.parse(payload))
                else { throw PipelineError.invalidInput(place: "capture import", problem: "a sort run is damaged", fix: "Run the import again; check the disk.") }
                let groupKey = Array(parts[0]) + [0x20] + Array(parts[1])
                if groupKey != group {
                    try finish(&state, into: timeSort, signatures: &signatures)
                    group = groupKey
                    state = GroupState()
                }
                try add(event, sequence: seq, raw: payload, to: &state, into: timeSort, signatures: &signatures)
            }
            try finish(&state, into: timeSort, signatures: &signatures)

            summary.inputSignatures = signatures.map { ($0.key, $0.value) }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }
            guard summary.events > 0 else {
                var problem = "the capture has no events"
                if summary.quarantined > 0 { problem += ": all \(summary.quarantined) records were rejected (first: \(firstProblem ?? "?"))" }
                if !summary.ignored.isEmpty { problem += "; ignored events of type \(summary.ignored.keys.sorted().joined(separator: ", "))" }
                throw PipelineError.invalidInput(place: place, problem: problem,
                                                 fix: "Check --format (\(options.format.rawValue)) and that the file holds logged requests or responses.")
            }

            // 3. Write the header and the events in time order.
            let capturePath = temporaryPath("capture")
            let writer = try SpillWriter(path: capturePath)
            defer { unlink(capturePath) }
            try writer.writeRaw(try summary.header.canonicalBytes() + [0x0a])
            try timeSort.drain { _, payload in
                try writer.writeRaw(payload)
                try writer.writeRaw([0x0a])
            }
            try writer.close()
            let id = try run.addOutput(fileAt: capturePath, role: "capture", kind: "capture")
            if summary.quarantined > 0 {
                let path = try quarantine.finish(header: .object([
                    "format": "assay.capture-quarantine.v1", "source": .string(summary.source.rawValue),
                    "source_format": .string(options.format.rawValue), "records": JSONValue(summary.quarantined),
                ]))
                summary.quarantine = try run.addOutput(fileAt: path, role: "quarantine", kind: "capture-quarantine")
            }
            return id
        }

        func temporaryPath(_ what: String) -> String {
            var random = SystemRandomNumberGenerator()
            return temporaryDirectory + "/partial-\(getpid())-capture-\(what)-" + String(random.next() as UInt64, radix: 16)
        }

        /// The reader for the format.
        func source() throws -> () throws -> CaptureSourceItem? {
            switch options.format {
            case .seldon:
                let s = try CloudEventSource(path: sourcePath, flavor: .seldon)
                return { try s.next() }
            case .kserve:
                let s = try CloudEventSource(path: sourcePath, flavor: .kserve)
                return { try s.next() }
            case .v2:
                let s = try OpenInferenceSource(path: sourcePath)
                return { try s.next() }
            case .jsonl, .truth:
                let s = try JSONLinesSource(path: sourcePath, truthRows: options.format == .truth)
                return { try s.next() }
            case .csv:
                let s = try CSVSource(path: sourcePath, place: place)
                return { try s.next() }
            case .npy:
                let s = try NPYSource(path: sourcePath, place: place)
                return { try s.next() }
            }
        }

        // MARK: Keys

        static func hex(_ s: String?) -> [UInt8] {
            let digits = Array("0123456789abcdef".utf8)
            var out: [UInt8] = []
            for b in (s ?? "").utf8 { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
            return out
        }

        static func sequenceText(_ n: Int) -> [UInt8] {
            let s = String(n)
            return Array((String(repeating: "0", count: max(0, 16 - s.count)) + s).utf8)
        }

        /// Sends an event with a request id to the join sort; one without goes straight on.
        mutating func admit(_ e: CaptureEvent, sequence: Int, into joinSort: ExternalSorter, timeSort: ExternalSorter, signatures: inout [String: Int]) throws {
            guard let rid = e.requestID else {
                var state = GroupState()
                try add(e, sequence: sequence, to: &state, into: timeSort, signatures: &signatures)
                try finish(&state, into: timeSort, signatures: &signatures)
                return
            }
            // Seldon joins on (request id, model); everything else on the request id alone.
            let model = options.format == .seldon ? e.model : nil
            let rank: UInt8 = e.status == .truthOnly ? UInt8(ascii: "0") : UInt8(ascii: "1")
            let key = Self.hex(rid) + [0x20] + Self.hex(model) + [0x20, rank, 0x20] + Self.sequenceText(sequence)
            try joinSort.add(key: key, payload: try e.json.canonicalBytes())
        }

        // MARK: Joining one group

        struct GroupState {
            var truth: CaptureEvent?
            var requests: [(CaptureEvent, Int)] = []
            var responses: [(CaptureEvent, Int)] = []
            var requestCount = 0
            var emitted = 0
        }

        /// `raw`, when given, is the event's canonical bytes (as the join sort kept them), reused
        /// when the event goes on unchanged.
        mutating func add(_ e: CaptureEvent, sequence: Int, raw: ArraySlice<UInt8>? = nil, to state: inout GroupState, into timeSort: ExternalSorter, signatures: inout [String: Int]) throws {
            let pairs = options.format != .truth
            switch e.status {
            case .truthOnly where state.emitted == 0 && state.requests.isEmpty && state.responses.isEmpty && (e.inputs == nil && e.outputs == nil):
                if state.truth != nil { summary.duplicateTruth += 1 }
                state.truth = e
                return
            case .requestOnly where pairs:
                countRequest(&state)
                if !state.responses.isEmpty {
                    var joined = e
                    let (response, _) = state.responses.removeFirst()
                    joined.absorb(response: response)
                    try emit(joined, sequence: sequence, state: &state, into: timeSort, signatures: &signatures)
                } else {
                    state.requests.append((e, sequence))
                    if state.requests.count > Self.maximumPending {
                        let (old, seq) = state.requests.removeFirst()
                        try emit(old, sequence: seq, state: &state, into: timeSort, signatures: &signatures)
                    }
                }
            case .responseOnly where pairs:
                if !state.requests.isEmpty {
                    var (joined, seq) = state.requests.removeFirst()
                    joined.absorb(response: e)
                    try emit(joined, sequence: seq, state: &state, into: timeSort, signatures: &signatures)
                } else {
                    state.responses.append((e, sequence))
                    if state.responses.count > Self.maximumPending {
                        let (old, seq) = state.responses.removeFirst()
                        try emit(old, sequence: seq, state: &state, into: timeSort, signatures: &signatures)
                    }
                }
            default:
                if e.inputs != nil { countRequest(&state) }
                try emit(e, sequence: sequence, raw: raw, state: &state, into: timeSort, signatures: &signatures)
            }
        }

        mutating func countRequest(_ state: inout GroupState) {
            if state.requestCount > 0 { summary.duplicateRequests += 1 }
            state.requestCount += 1
        }

        /// Emits what is left of a group: unpaired halves, and truth nothing took.
        mutating func finish(_ state: inout GroupState, into timeSort: ExternalSorter, signatures: inout [String: Int]) throws {
            let rest = (state.requests + state.responses).sorted { $0.1 < $1.1 }
            state.requests = []
            state.responses = []
            for (e, seq) in rest { try emit(e, sequence: seq, state: &state, into: timeSort, signatures: &signatures) }
            if let truth = state.truth, state.emitted == 0 {
                state.truth = nil
                try emit(truth, sequence: 0, state: &state, into: timeSort, signatures: &signatures)
            }
        }

        /// Finalises an event (truth, timestamp), counts it and sends it to the time sort.
        mutating func emit(_ event: CaptureEvent, sequence: Int, raw: ArraySlice<UInt8>? = nil, state: inout GroupState, into timeSort: ExternalSorter, signatures: inout [String: Int]) throws {
            var e = event
            var unchanged = raw != nil
            if let truth = state.truth, e.status != .truthOnly {
                unchanged = false
                e.truth = truth.truth ?? e.truth
                e.reward = truth.reward ?? e.reward
                e.truthLine = truth.truthLine
                e.puid = e.puid ?? truth.puid
            }
            if e.timestamp == nil, e.responseTimestamp != nil {
                e.timestamp = e.responseTimestamp
                unchanged = false
            }
            state.emitted += 1
            summary.events += 1
            switch e.status {
            case .complete: summary.complete += 1
            case .requestOnly: summary.requestsWithoutResponse += 1
            case .responseOnly: summary.responsesWithoutRequest += 1
            case .truthOnly: summary.truthWithoutRequest += 1
            case .row: summary.rows += 1
            }
            if e.truth != nil || e.reward != nil { summary.withTruth += 1 }
            if let inputs = e.inputs {
                let signature = inputs.map(\.signature).joined(separator: "; ")
                if signatures[signature] != nil || signatures.count < Self.maximumSignatures {
                    signatures[signature, default: 0] += 1
                } else {
                    summary.otherSignatureEvents += 1
                }
            }
            let seq = sequence > 0 ? sequence : e.firstLine
            let key = Array((e.timestamp?.sortKey ?? "").utf8) + [0x20] + Self.hex(e.requestID) + [0x20] + Self.hex(e.model) + [0x20] + Self.sequenceText(seq)
            if unchanged, let raw {
                assert(Array(raw) == (try? e.json.canonicalBytes()), "an event read back from the join sort re-encodes to other bytes")
                try timeSort.add(key: key, payload: Array(raw))
            } else {
                try timeSort.add(key: key, payload: try e.json.canonicalBytes())
            }
        }
    }

    /// Calls `body` with every event of a stored capture, in order.
    static func readEvents(of capture: ArtifactID, in workspace: Workspace, _ body: (CaptureEvent) throws -> Void) throws {
        let reader = try LineReader(path: workspace.blobs.path(for: capture))
        guard let header = try reader.next(), (try? JSONValue.parse(header))?["format"]?.stringValue == "assay.capture.v1" else {
            throw PipelineError.invalidInput(place: capture.short, problem: "is not an assay.capture.v1 capture", fix: "Pass a capture made by assay capture import.")
        }
        while let line = try reader.next() {
            guard let event = CaptureEvent(json: try JSONValue.parse(line)) else {
                throw PipelineError.invalidInput(place: "\(capture.short): line \(reader.lineNumber)", problem: "not a capture event", fix: "The capture is damaged; run assay fsck.")
            }
            try body(event)
        }
    }
}
