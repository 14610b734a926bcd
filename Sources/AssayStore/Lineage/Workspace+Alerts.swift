import Foundation
internal import GRDB

/// One alert: a detector of a replay that fired on one window, as `assay alerts` lists it.
///
/// The alert itself is an artifact (``id``, kind `alert`): a canonical document holding the
/// digests of everything it rests on. The row adds where it came from (``run``) and the figures
/// to list and filter on.
public struct AlertRecord: Sendable, Codable, Equatable {
    /// The alert document's artifact id.
    public var id: ArtifactID
    /// The replay run that raised it.
    public var run: RunID
    /// The pipeline component (detector name in the spec).
    public var component: String
    /// The fitted detector artifact.
    public var detector: ArtifactID
    /// The detector kind, such as `drift.ks`.
    public var detectorKind: String
    /// The window's position among the component's windows, from 0.
    public var windowIndex: Int
    /// The window's events, as indices into the capture: `firstEvent..<endEvent`.
    public var firstEvent: Int
    public var endEvent: Int
    /// The window's interval (RFC 3339) for windows by time.
    public var windowStart: String?
    public var windowEnd: String?
    /// The test statistic (the distance), the p-value and the threshold it was compared with;
    /// for per-feature tests, those of the feature with the smallest p-value.
    public var statistic: Double?
    public var pValue: Double?
    public var threshold: Double?
    /// The window's rows as the detector saw them (`.npy`), and the window's result document.
    public var evidence: ArtifactID
    public var result: ArtifactID
    public var createdAt: String

    public init(id: ArtifactID, run: RunID, component: String, detector: ArtifactID, detectorKind: String, windowIndex: Int,
                firstEvent: Int, endEvent: Int, windowStart: String?, windowEnd: String?, statistic: Double?, pValue: Double?,
                threshold: Double?, evidence: ArtifactID, result: ArtifactID, createdAt: String = "") {
        self.id = id
        self.run = run
        self.component = component
        self.detector = detector
        self.detectorKind = detectorKind
        self.windowIndex = windowIndex
        self.firstEvent = firstEvent
        self.endEvent = endEvent
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.statistic = statistic
        self.pValue = pValue
        self.threshold = threshold
        self.evidence = evidence
        self.result = result
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, run, component, detector, statistic, threshold, evidence, result
        case detectorKind = "detector_kind", windowIndex = "window", firstEvent = "first_event", endEvent = "end_event"
        case windowStart = "window_start", windowEnd = "window_end", pValue = "p_value", createdAt = "created_at"
    }

    static func insert(_ a: AlertRecord, run: RunID, at time: String, in db: Database) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO alert(id, run_id, component, detector_id, detector_kind, window_index, first_event, end_event,
                window_start, window_end, statistic, p_value, threshold, evidence_id, result_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [a.id.rawValue, run.rawValue, a.component, a.detector.rawValue, a.detectorKind, a.windowIndex,
                             a.firstEvent, a.endEvent, a.windowStart, a.windowEnd, a.statistic.flatMap { $0.isFinite ? $0 : nil },
                             a.pValue.flatMap { $0.isFinite ? $0 : nil }, a.threshold.flatMap { $0.isFinite ? $0 : nil },
                             a.evidence.rawValue, a.result.rawValue, time])
    }

    static func decode(_ row: Row) throws(StoreError) -> AlertRecord {
        func id(_ column: String) throws(StoreError) -> ArtifactID {
            let text: String = row[column]
            guard let id = ArtifactID(validating: text) else { throw .database("malformed artifact id in alert table: \(text)") }
            return id
        }
        let runText: String = row["run_id"]
        guard let run = RunID(validating: runText) else { throw .database("malformed run id in alert table: \(runText)") }
        return AlertRecord(id: try id("id"), run: run, component: row["component"], detector: try id("detector_id"),
                           detectorKind: row["detector_kind"], windowIndex: row["window_index"], firstEvent: row["first_event"],
                           endEvent: row["end_event"], windowStart: row["window_start"], windowEnd: row["window_end"],
                           statistic: row["statistic"], pValue: row["p_value"], threshold: row["threshold"],
                           evidence: try id("evidence_id"), result: try id("result_id"), createdAt: row["created_at"])
    }
}

extension Workspace {
    /// Alerts, newest run first, then by component and window; only those of `run` when given.
    public func alerts(run: RunID? = nil) throws(StoreError) -> [AlertRecord] {
        let rows: [Row] = try database.read { db in
            if let run {
                return try Row.fetchAll(db, sql: "SELECT * FROM alert WHERE run_id = ? ORDER BY component, window_index, id", arguments: [run.rawValue])
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM alert ORDER BY run_id DESC, component, window_index, id")
        }
        var out: [AlertRecord] = []
        for row in rows { out.append(try AlertRecord.decode(row)) }
        return out
    }

    /// The rows of the alert document `id` (one per replay run that raised it), newest first.
    public func alerts(id: ArtifactID) throws(StoreError) -> [AlertRecord] {
        let rows: [Row] = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert WHERE id = ? ORDER BY run_id DESC", arguments: [id.rawValue])
        }
        var out: [AlertRecord] = []
        for row in rows { out.append(try AlertRecord.decode(row)) }
        return out
    }
}

extension Workspace {
    /// The measurements recorded with `run` (see ``RunRecorder/setMeasurements(_:)``), if any.
    public func measurements(run: RunID) throws(StoreError) -> JSONValue? {
        let text: String? = try database.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM measurement WHERE run_id = ?", arguments: [run.rawValue])
        }
        guard let text else { return nil }
        do { return try JSONValue.parse(Array(text.utf8)) } catch { throw .database("malformed measurement of run \(run): \(error)") }
    }
}
