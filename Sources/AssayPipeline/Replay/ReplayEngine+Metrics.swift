import AssayDetectors
import AssayNumerics
import AssayStore

extension ReplayEngine {
    /// A metric of a window that broke one of its bounds.
    struct MetricBreach {
        var metric: ReplayPlan.MetricComponent
        var figure: String
        var value: Double
        var bound: Double
        /// `below` or `above`.
        var direction: String
        /// The window's joined rows (prediction, truth), or its label counts for `kl` (`.npy`).
        var evidence: [UInt8]
        var data: JSONValue
    }

    /// Events whose truth could not be used, with the first few request ids.
    struct Unjoined {
        var count = 0
        var examples: [String] = []
        mutating func add(_ id: String?) {
            count += 1
            if examples.count < 5, let id { examples.append(id) }
        }
        var json: JSONValue { .object(["count": JSONValue(count), "examples": .array(examples.map(JSONValue.string))]) }
    }

    /// The figures of every metric of series `s` on window `w`, and the bounds they broke.
    ///
    /// Predictions are the argmax of the model's outputs (width ≥ 2) or, for one output, `≥ 0.5`
    /// as class 1 for classification and the value itself for regression. An event's truth is
    /// found by its request id; only one-row events join (a batch request's single truth cannot
    /// be split among its rows).
    func metricDocuments(series s: Int, window w: CaptureWindow, events: [ReplayEvent], outputs: Tensor<Double>?) throws
        -> (docs: [String: JSONValue], breaches: [MetricBreach]) {
        var docs: [String: JSONValue] = [:]
        var breaches: [MetricBreach] = []
        for m in plan.metrics where m.series == s {
            guard let outputs else {
                throw PipelineError.invalidInput(place: "metrics.\(m.name)", problem: "the window has no model outputs to score",
                                                 fix: "Name a model in the spec, or import the capture with its recorded outputs.")
            }
            let width = outputs.rowWidth
            // Predictions per event (one-row events only).
            var predictedLabels: [Int?] = []
            var predictedValues: [Double?] = []
            var row = 0
            for e in events {
                defer { row += e.rows }
                guard e.rows == 1 else { predictedLabels.append(nil); predictedValues.append(nil); continue }
                let r = outputs.row(row)
                var best = r.startIndex
                for j in r.indices where r[j] > r[best] { best = j }
                predictedLabels.append(width >= 2 ? best - r.startIndex : (r[r.startIndex] >= 0.5 ? 1 : 0))
                predictedValues.append(r[r.startIndex])
            }
            var doc: [String: JSONValue] = ["type": .string(m.step.kind.rawValue), "events": JSONValue(events.count)]
            var figures: [String: Double] = [:]
            var evidence: [Double] = []
            var evidenceWidth = 2
            switch m.step.kind {
            case .kl:
                let reference = m.step.reference ?? []
                var counts = [Double](repeating: 0, count: max(reference.count, width >= 2 ? width : 2))
                var outside = Unjoined()
                for (k, p) in predictedLabels.enumerated() {
                    guard let p else { continue }
                    if p < counts.count { counts[p] += 1 } else { outside.add(events[k].requestID) }
                }
                var ref = reference
                if ref.count < counts.count { ref += [Double](repeating: 0, count: counts.count - ref.count) }
                let total = counts.reduce(0, +)
                doc["label_counts"] = .array(counts.map { JSONValue(Int($0)) })
                if total > 0 {
                    let kl = try ClassificationMetrics.klDivergence(counts, from: ref)
                    figures["kl"] = kl
                    doc["data"] = .object(["kl": ReplayEngine.number(kl)])
                } else {
                    doc["data"] = .null
                }
                evidence = counts
                evidenceWidth = counts.count
            case .binary, .multiclass, .regression:
                guard let truth = plan.truth else { fatalError("the plan requires truth for these metrics") }
                // Joined pairs: the prediction (a label, or the value for regression) and the truth.
                var predictions: [Double] = []
                var values: [Double] = []
                var missing = Unjoined(), unknown = Unjoined(), batched = Unjoined()
                let classes = width >= 2 ? width : 2
                for (k, e) in events.enumerated() {
                    guard let id = e.requestID, let t = truth.table.values[id] else { missing.add(e.requestID); continue }
                    matchedTruth.insert(id)
                    guard predictedLabels[k] != nil else { batched.add(id); continue }
                    if m.step.kind == .regression {
                        guard let y = t.number else { unknown.add(id); continue }
                        predictions.append(predictedValues[k]!)
                        values.append(y)
                    } else {
                        let positive = m.step.positive ?? 1
                        // Multi-class: a label is one of the model's classes. Binary: 0, 1 or the positive label.
                        guard let label = t.label,
                              m.step.kind == .multiclass ? (label >= 0 && label < classes) : (label == 0 || label == 1 || label == positive) else {
                            unknown.add(id); continue
                        }
                        predictions.append(Double(predictedLabels[k]!))
                        values.append(Double(label))
                    }
                }
                evidence = zip(predictions, values).flatMap { [$0, $1] }
                doc["with_truth"] = JSONValue(values.count)
                doc["without_truth"] = missing.json
                doc["unknown_labels"] = unknown.json
                doc["batch_requests"] = batched.json
                if values.isEmpty {
                    doc["data"] = .null
                } else if m.step.kind == .regression {
                    let r = try ClassificationMetrics.regression(truth: values, predicted: predictions)
                    figures = ["rmse": r.rmse, "mae": r.mae, "r2": r.r2]
                    doc["data"] = .object(["rmse": ReplayEngine.number(r.rmse), "mae": ReplayEngine.number(r.mae), "r2": ReplayEngine.number(r.r2)])
                } else if m.step.kind == .binary {
                    let b = try ClassificationMetrics.binary(truth: values.map { Int($0) }, predicted: predictions.map { Int($0) }, positive: m.step.positive ?? 1)
                    figures = ["accuracy": b.accuracy, "precision": b.precision, "recall": b.recall, "specificity": b.specificity, "f1": b.f1]
                    doc["data"] = ReplayEngine.binaryJSON(b)
                } else {
                    let r = try ClassificationMetrics.multiClass(truth: values.map { Int($0) }, predicted: predictions.map { Int($0) }, classes: Array(0..<classes))
                    figures = ["accuracy": r.accuracy, "macro_precision": r.macroPrecision, "macro_recall": r.macroRecall, "macro_f1": r.macroF1]
                    doc["data"] = .object([
                        "accuracy": ReplayEngine.number(r.accuracy),
                        "macro_precision": ReplayEngine.number(r.macroPrecision), "macro_recall": ReplayEngine.number(r.macroRecall),
                        "macro_f1": ReplayEngine.number(r.macroF1),
                        "confusion": .array(r.confusion.map { .array($0.map { JSONValue($0) }) }),
                        "per_class": .array(zip(r.classes, r.perClass).map { c, b in
                            var o = ReplayEngine.binaryJSON(b).objectValue ?? [:]
                            o["class"] = JSONValue(c)
                            return .object(o)
                        }),
                    ])
                }
            }
            var broken: [JSONValue] = []
            for (direction, bounds) in [("below", m.step.alertBelow), ("above", m.step.alertAbove)] {
                for (figure, bound) in bounds.sorted(by: { $0.key < $1.key }) {
                    guard let value = figures[figure] else { continue }
                    let breaks = direction == "below" ? value < bound : value > bound
                    guard breaks else { continue }
                    broken.append(.object(["figure": .string(figure), "value": ReplayEngine.number(value), "bound": .double(bound), "direction": .string(direction)]))
                    let matrix = try Tensor(shape: [evidence.count / max(evidenceWidth, 1), evidenceWidth], scalars: evidence)
                    breaches.append(MetricBreach(metric: m, figure: figure, value: value, bound: bound, direction: direction,
                                                 evidence: NPYFormat.encode(matrix), data: doc["data"] ?? .null))
                }
            }
            doc["breaches"] = .array(broken)
            doc["alert"] = .bool(!broken.isEmpty)
            docs[m.name] = .object(doc)
        }
        return (docs, breaches)
    }

    static func binaryJSON(_ b: ClassificationMetrics.Binary) -> JSONValue {
        .object([
            "tp": JSONValue(b.truePositives), "tn": JSONValue(b.trueNegatives), "fp": JSONValue(b.falsePositives), "fn": JSONValue(b.falseNegatives),
            "accuracy": number(b.accuracy), "precision": number(b.precision), "recall": number(b.recall),
            "specificity": number(b.specificity), "f1": number(b.f1),
        ])
    }
}
