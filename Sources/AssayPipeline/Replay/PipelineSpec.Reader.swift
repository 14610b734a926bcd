import Foundation
internal import Yams

extension PipelineSpec {
    /// Walks a composed YAML node tree into a ``PipelineSpec``, checking every key and type and
    /// naming the line, column and key path of anything wrong.
    ///
    /// The walk only follows the keys the grammar knows, so its work is bounded by the grammar
    /// and ``PipelineSpec/maximumDetectors``, whatever aliases the document shares.
    struct Reader {
        let file: String

        static let rootKeys = ["version", "model", "detectors", "metrics", "window", "seed"]
        static let detectorKeys = ["name", "detector", "input", "window", "max_outlier_rate"]
        static let metricKeys = ["name", "type", "positive", "reference", "alert_below", "alert_above", "window"]
        static let windowKeys = ["size", "duration", "mode", "step", "by"]

        // MARK: Places and errors

        func place(_ node: Node, _ path: String) -> String {
            let at = node.mark.map { "line \($0.line), column \($0.column)" } ?? "unknown line"
            return path.isEmpty ? "\(file): \(at)" : "\(file): \(at), \(path)"
        }

        func error(_ node: Node, _ path: String, _ problem: String, _ fix: String) -> PipelineError {
            .invalidInput(place: place(node, path), problem: problem, fix: fix)
        }

        func describe(_ node: Node) -> String {
            switch node {
            case .mapping: return "a mapping"
            case .sequence: return "a list"
            case .alias: return "an alias"
            case .scalar(let s):
                if isNull(node) { return "null" }
                let text = s.string.count > 40 ? String(s.string.prefix(40)) + "…" : s.string
                return "'\(text)'"
            }
        }

        func isNull(_ node: Node) -> Bool {
            guard case .scalar(let s) = node, s.style == .plain else { return false }
            return ["", "~", "null", "Null", "NULL"].contains(s.string)
        }

        // MARK: Shapes

        /// The members of a mapping by key, after checking that every key is a known string and
        /// appears once.
        func mapping(_ node: Node, _ path: String, keys: [String], what: String) throws(PipelineError) -> [String: (key: Node, value: Node)] {
            guard case .mapping(let m) = node else {
                throw error(node, path, "expected \(what), found \(describe(node))",
                            "Write a mapping with the keys \(keys.joined(separator: ", "))")
            }
            var members: [String: (key: Node, value: Node)] = [:]
            for (key, value) in m {
                guard case .scalar(let k) = key else {
                    throw error(key, path, "expected a key, found \(describe(key))", "Keys are plain words: \(keys.joined(separator: ", "))")
                }
                guard keys.contains(k.string) else {
                    throw error(key, path, "unknown key '\(k.string)'", "Valid keys: \(keys.joined(separator: ", ")).")
                }
                if let first = members[k.string] {
                    let firstLine = first.key.mark.map { " (first on line \($0.line))" } ?? ""
                    throw error(key, path, "duplicate key '\(k.string)'\(firstLine)", "Give each key once")
                }
                members[k.string] = (key, value)
            }
            return members
        }

        func required(_ members: [String: (key: Node, value: Node)], _ key: String, in node: Node, _ path: String, example: String) throws(PipelineError) -> Node {
            guard let member = members[key], !isNull(member.value) else {
                throw error(node, path, "missing '\(key)'", "Add `\(example)`")
            }
            return member.value
        }

        func string(_ node: Node, _ path: String, what: String) throws(PipelineError) -> String {
            guard case .scalar(let s) = node, !isNull(node) else {
                throw error(node, path, "expected \(what), found \(describe(node))", "Write \(what) as one word on the line")
            }
            return s.string
        }

        /// A plain (unquoted) decimal integer, optionally signed.
        func integer(_ node: Node, _ path: String, what: String) throws(PipelineError) -> (negative: Bool, magnitude: UInt64) {
            let fix = "Write \(what) as plain digits, without quotes"
            guard case .scalar(let s) = node, s.style == .plain else {
                throw error(node, path, "expected \(what), found \(describe(node))", fix)
            }
            var digits = Substring(s.string)
            var negative = false
            if let sign = digits.first, sign == "-" || sign == "+" { negative = sign == "-"; digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let magnitude = UInt64(digits) else {
                let tooLarge = !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isNumber })
                throw error(node, path, tooLarge ? "\(describe(node)) is too large for \(what)" : "expected \(what), found \(describe(node))", fix)
            }
            return (negative, magnitude)
        }

        func positiveCount(_ node: Node, _ path: String) throws(PipelineError) -> Int {
            let (negative, magnitude) = try integer(node, path, what: "a number of events")
            guard !negative, magnitude > 0, magnitude <= UInt64(Int32.max) else {
                throw error(node, path, "a window holds between 1 and \(Int32.max) events, not \(describe(node))", "Give a positive number of events")
            }
            return Int(magnitude)
        }

        /// A duration such as `30s`, `10m`, `1h`, `1h30m`, `250ms`, `1d`, in milliseconds.
        func duration(_ node: Node, _ path: String) throws(PipelineError) -> Int64 {
            let fix = "Write a duration such as 250ms, 30s, 10m, 1h or 1h30m (units ms, s, m, h, d)"
            guard case .scalar(let s) = node, !isNull(node) else {
                throw error(node, path, "expected a duration, found \(describe(node))", fix)
            }
            let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
            var rest = Substring(s.string)
            var total: Int64 = 0
            while !rest.isEmpty {
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(digits.count)
                let unitText = rest.prefix { $0.isASCII && $0.isLetter }
                rest = rest.dropFirst(unitText.count)
                guard !digits.isEmpty, let value = Int64(digits),
                      let unit = units.first(where: { $0.0 == unitText })?.1 else {
                    throw error(node, path, "expected a duration, found \(describe(node))", fix)
                }
                let (product, o1) = value.multipliedReportingOverflow(by: unit)
                let (sum, o2) = total.addingReportingOverflow(product)
                guard !o1, !o2, sum <= WindowSpec.maximumMilliseconds else {
                    throw error(node, path, "\(describe(node)) is longer than 100 years", "Give a shorter duration")
                }
                total = sum
            }
            guard total > 0 else {
                throw error(node, path, "a duration must be longer than zero, not \(describe(node))", fix)
            }
            return total
        }

        // MARK: The grammar

        func spec(_ root: Node) throws(PipelineError) -> PipelineSpec {
            guard case .mapping = root else {
                throw error(root, "", "expected a mapping of \(Self.rootKeys.joined(separator: ", ")) at the top level, found \(describe(root))",
                            "Start the spec with `version: 1` and write its keys at the left margin, not as a list")
            }
            let members = try mapping(root, "", keys: Self.rootKeys, what: "a mapping")

            let versionNode = try required(members, "version", in: root, "", example: "version: 1")
            let (negative, version) = try integer(versionNode, "version", what: "a version number")
            guard !negative, version == UInt64(PipelineSpec.currentVersion) else {
                throw error(versionNode, "version", "unsupported version \(describe(versionNode))",
                            "This Assay reads version \(PipelineSpec.currentVersion) specs")
            }

            let model = try modelSource(try required(members, "model", in: root, "", example: "model: recorded"))
            let window = try windowSpec(try required(members, "window", in: root, "", example: "window: {size: 1000}"), "window")

            var seed: UInt64 = 0
            if let seedNode = members["seed"]?.value, !isNull(seedNode) {
                let (negative, magnitude) = try integer(seedNode, "seed", what: "a seed (an integer from 0 to \(UInt64.max))")
                guard !negative || magnitude == 0 else {
                    throw error(seedNode, "seed", "a seed is not negative, found \(describe(seedNode))", "Give an integer from 0 to \(UInt64.max)")
                }
                seed = magnitude
            }

            var detectors: [DetectorStep] = []
            var inputNodes: [Node?] = []
            if let list = members["detectors"]?.value, !isNull(list) {
                guard case .sequence(let items) = list else {
                    throw error(list, "detectors", "expected a list of detectors, found \(describe(list))",
                                "Write each detector as a list item starting with `- name:`")
                }
                guard items.count <= PipelineSpec.maximumDetectors else {
                    throw error(list, "detectors", "\(items.count) detectors, more than the \(PipelineSpec.maximumDetectors) a pipeline may have",
                                "Split the pipeline into several specs")
                }
                var names: [String: Node] = [:]
                for (i, item) in items.enumerated() {
                    let (step, nameNode, inputNode) = try detectorStep(item, "detectors[\(i)]")
                    if let first = names[step.name] {
                        let firstLine = first.mark.map { " (first on line \($0.line))" } ?? ""
                        throw error(nameNode, "detectors[\(i)].name", "duplicate detector name '\(step.name)'\(firstLine)",
                                    "Give each detector its own name")
                    }
                    names[step.name] = nameNode
                    detectors.append(step)
                    inputNodes.append(inputNode)
                }
                try checkInputs(detectors, inputNodes)
            }
            var metrics: [MetricStep] = []
            if let list = members["metrics"]?.value, !isNull(list) {
                guard case .sequence(let items) = list else {
                    throw error(list, "metrics", "expected a list of metrics, found \(describe(list))",
                                "Write each metric as a list item starting with `- name:`")
                }
                guard items.count <= PipelineSpec.maximumDetectors else {
                    throw error(list, "metrics", "\(items.count) metrics, more than the \(PipelineSpec.maximumDetectors) a pipeline may have",
                                "Split the pipeline into several specs")
                }
                var names = Set(detectors.map(\.name))
                for (i, item) in items.enumerated() {
                    let (step, nameNode) = try metricStep(item, "metrics[\(i)]")
                    guard names.insert(step.name).inserted else {
                        throw error(nameNode, "metrics[\(i)].name", "the name '\(step.name)' is already taken by a detector or metric",
                                    "Give each detector and metric its own name")
                    }
                    metrics.append(step)
                }
            }
            return PipelineSpec(version: Int(version), model: model, detectors: detectors, metrics: metrics, window: window, seed: seed)
        }

        func modelSource(_ node: Node) throws(PipelineError) -> ModelSource {
            let text = try string(node, "model", what: "a model (`recorded`, an artifact id, prefix or name, or an http(s) URL)")
            if text == "recorded" { return .recorded }
            if text.contains("://") {
                guard text.hasPrefix("http://") || text.hasPrefix("https://"),
                      let url = URL(string: text), let host = url.host, !host.isEmpty else {
                    throw error(node, "model", "\(describe(node)) is not an http:// or https:// URL",
                                "Give the endpoint's base URL, such as https://models.example.com/v2/models/digits")
                }
                return .remote(text)
            }
            try checkReference(text, node, "model")
            return .artifact(text)
        }

        func checkReference(_ text: String, _ node: Node, _ path: String) throws(PipelineError) {
            guard !text.isEmpty, text.count <= 512,
                  !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) else {
                throw error(node, path, "\(describe(node)) is not an artifact reference",
                            "Give an artifact id (sha256:…), a unique id prefix or a name, without spaces")
            }
        }

        func detectorStep(_ node: Node, _ path: String) throws(PipelineError) -> (DetectorStep, Node, Node?) {
            let members = try mapping(node, path, keys: Self.detectorKeys, what: "a detector")
            let nameNode = try required(members, "name", in: node, path, example: "name: drift")
            let name = try validName(nameNode, path)
            let detectorNode = try required(members, "detector", in: node, path, example: "detector: detector:ks-reference")
            let detector = try string(detectorNode, "\(path).detector", what: "a detector artifact reference")
            try checkReference(detector, detectorNode, "\(path).detector")

            var input = DetectorStep.Input.inputs
            let inputNode = members["input"]?.value
            if let inputNode, !isNull(inputNode) {
                let text = try string(inputNode, "\(path).input", what: "an input (inputs, outputs or NAME.output)")
                switch text {
                case "inputs": input = .inputs
                case "outputs": input = .outputs
                default:
                    guard text.hasSuffix(".output"), text.count > ".output".count else {
                        throw error(inputNode, "\(path).input", "unknown input \(describe(inputNode))",
                                    "Write inputs (the request features), outputs (the model's outputs) or NAME.output (another detector's output)")
                    }
                    input = .component(String(text.dropLast(".output".count)))
                }
            }
            var window: WindowSpec?
            if let windowNode = members["window"]?.value, !isNull(windowNode) {
                window = try windowSpec(windowNode, "\(path).window")
            }
            var maxOutlierRate: Double?
            if let node = members["max_outlier_rate"]?.value, !isNull(node) {
                let rate = try number(node, "\(path).max_outlier_rate", what: "a fraction between 0 and 1")
                guard rate >= 0, rate < 1 else {
                    throw error(node, "\(path).max_outlier_rate", "\(describe(node)) is not in [0, 1)", "Give the largest fraction of outliers a window may hold, e.g. 0.1")
                }
                maxOutlierRate = rate
            }
            return (DetectorStep(name: name, detector: detector, input: input, window: window, maxOutlierRate: maxOutlierRate), nameNode, inputNode)
        }

        /// A finite number written plainly (`0.9`, `1e-3`, `2`).
        func number(_ node: Node, _ path: String, what: String) throws(PipelineError) -> Double {
            guard case .scalar(let s) = node, s.style == .plain, let x = Double(s.string), x.isFinite else {
                throw error(node, path, "expected \(what), found \(describe(node))", "Write \(what) as a plain number, without quotes")
            }
            return x
        }

        func validName(_ nameNode: Node, _ path: String) throws(PipelineError) -> String {
            let name = try string(nameNode, "\(path).name", what: "a name")
            guard !name.isEmpty, name.count <= 64,
                  name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-") }) else {
                throw error(nameNode, "\(path).name", "\(describe(nameNode)) is not a valid name",
                            "Use up to 64 letters, digits, '_' and '-'")
            }
            return name
        }

        func metricStep(_ node: Node, _ path: String) throws(PipelineError) -> (MetricStep, Node) {
            let members = try mapping(node, path, keys: Self.metricKeys, what: "a metric")
            let nameNode = try required(members, "name", in: node, path, example: "name: quality")
            let name = try validName(nameNode, path)
            let kinds = MetricStep.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            let typeNode = try required(members, "type", in: node, path, example: "type: multiclass")
            let typeText = try string(typeNode, "\(path).type", what: "a metric type (\(kinds))")
            let aliases = ["multiclass-onehot": "multiclass", "multiclass-numeric": "multiclass", "binary-classification": "binary"]
            guard let kind = MetricStep.Kind(rawValue: aliases[typeText] ?? typeText) else {
                throw error(typeNode, "\(path).type", "unknown metric type \(describe(typeNode))", "Write one of \(kinds)")
            }
            var step = MetricStep(name: name, kind: kind)
            if let p = members["positive"]?.value, !isNull(p) {
                guard kind == .binary else { throw error(p, "\(path).positive", "'positive' applies to binary metrics only", "Remove it, or write `type: binary`") }
                let (negative, magnitude) = try integer(p, "\(path).positive", what: "a label")
                guard magnitude <= UInt64(Int32.max) else { throw error(p, "\(path).positive", "\(describe(p)) is too large for a label", "Give a small integer label") }
                step.positive = negative ? -Int(magnitude) : Int(magnitude)
            }
            if let r = members["reference"]?.value, !isNull(r) {
                guard kind == .kl else { throw error(r, "\(path).reference", "'reference' applies to kl metrics only", "Remove it, or write `type: kl`") }
                guard case .sequence(let items) = r, !items.isEmpty, items.count <= 100_000 else {
                    throw error(r, "\(path).reference", "expected a list of counts or frequencies per class, found \(describe(r))", "Write e.g. reference: [0.5, 0.3, 0.2]")
                }
                var values: [Double] = []
                for (j, item) in items.enumerated() {
                    let v = try number(item, "\(path).reference[\(j)]", what: "a count or frequency")
                    guard v >= 0 else { throw error(item, "\(path).reference[\(j)]", "\(describe(item)) is negative", "Give counts or frequencies, zero or more") }
                    values.append(v)
                }
                guard values.contains(where: { $0 > 0 }) else { throw error(r, "\(path).reference", "the reference distribution sums to zero", "Give at least one positive count") }
                step.reference = values
            } else if kind == .kl {
                throw error(node, path, "a kl metric needs 'reference'", "Add the reference label distribution, e.g. `reference: [0.5, 0.3, 0.2]`")
            }
            func bounds(_ key: String) throws(PipelineError) -> [String: Double] {
                guard let b = members[key]?.value, !isNull(b) else { return [:] }
                let entries = try mapping(b, "\(path).\(key)", keys: step.figureNames, what: "a mapping of figures to bounds")
                var out: [String: Double] = [:]
                for (figure, member) in entries { out[figure] = try number(member.value, "\(path).\(key).\(figure)", what: "a bound") }
                return out
            }
            step.alertBelow = try bounds("alert_below")
            step.alertAbove = try bounds("alert_above")
            if let windowNode = members["window"]?.value, !isNull(windowNode) {
                step.window = try windowSpec(windowNode, "\(path).window")
            }
            return (step, nameNode)
        }

        /// Every `NAME.output` names a detector of the pipeline, and following inputs never
        /// comes back to where it started.
        func checkInputs(_ detectors: [DetectorStep], _ inputNodes: [Node?]) throws(PipelineError) {
            var index: [String: Int] = [:]
            for (i, d) in detectors.enumerated() { index[d.name] = i }
            for (i, d) in detectors.enumerated() {
                guard case .component(let target) = d.input, let node = inputNodes[i] else { continue }
                guard index[target] != nil else {
                    let known = detectors.map(\.name).filter { $0 != d.name }
                    throw error(node, "detectors[\(i)].input", "no detector is named '\(target)'",
                                known.isEmpty ? "Watch inputs or outputs" : "Watch one of: \(known.map { "\($0).output" }.joined(separator: ", "))")
                }
            }
            for (i, d) in detectors.enumerated() {
                guard let node = inputNodes[i] else { continue }
                // Each detector watches at most one other, so follow the chain.
                var chain = [d.name]
                var current = d
                while case .component(let target) = current.input, let next = index[target] {
                    if target == d.name {
                        throw error(node, "detectors[\(i)].input", "the detectors watch each other in a cycle: \((chain + [target]).joined(separator: " → "))",
                                    "Make one of them watch inputs or outputs")
                    }
                    if chain.contains(target) { break }  // a cycle not through `d`; reported at its own members
                    chain.append(target)
                    current = detectors[next]
                }
            }
        }

        func windowSpec(_ node: Node, _ path: String) throws(PipelineError) -> WindowSpec {
            let members = try mapping(node, path, keys: Self.windowKeys, what: "a window")
            let sizeNode = members["size"].flatMap { isNull($0.value) ? nil : $0.value }
            let durationNode = members["duration"].flatMap { isNull($0.value) ? nil : $0.value }
            let size: WindowSpec.Extent
            switch (sizeNode, durationNode) {
            case (nil, nil):
                throw error(node, path, "missing 'size' or 'duration'", "Add `size: 1000` (events) or `duration: 10m` (time)")
            case (.some, .some(let d)):
                throw error(d, "\(path).duration", "give either 'size' (events) or 'duration' (time), not both", "Remove one of them")
            case (.some(let s), nil):
                size = .count(try positiveCount(s, "\(path).size"))
            case (nil, .some(let d)):
                size = .milliseconds(try duration(d, "\(path).duration"))
            }
            let byTime: Bool
            switch size { case .count: byTime = false; case .milliseconds: byTime = true }

            if let byNode = members["by"]?.value, !isNull(byNode) {
                let by = try string(byNode, "\(path).by", what: "count or time")
                guard by == "count" || by == "time" else {
                    throw error(byNode, "\(path).by", "unknown basis \(describe(byNode))", "Write count or time")
                }
                if (by == "time") != byTime {
                    throw error(byNode, "\(path).by", byTime ? "'by: count' needs 'size', not 'duration'" : "'by: time' needs 'duration', not 'size'",
                                byTime ? "Give `size:` as a number of events" : "Give `duration:` such as 10m")
                }
            }

            var mode = WindowSpec.Mode.tumbling
            if let modeNode = members["mode"]?.value, !isNull(modeNode) {
                let text = try string(modeNode, "\(path).mode", what: "tumbling or sliding")
                guard let m = WindowSpec.Mode(rawValue: text) else {
                    throw error(modeNode, "\(path).mode", "unknown mode \(describe(modeNode))", "Write tumbling or sliding")
                }
                mode = m
            }

            let stepNode = members["step"].flatMap { isNull($0.value) ? nil : $0.value }
            switch (mode, stepNode) {
            case (.tumbling, nil):
                return WindowSpec(tumbling: size)
            case (.tumbling, .some(let s)):
                throw error(s, "\(path).step", "'step' applies to sliding windows only", "Remove 'step', or add `mode: sliding`")
            case (.sliding, nil):
                throw error(node, path, "a sliding window needs 'step'", byTime ? "Add `step:` such as 1m" : "Add `step:` as a number of events")
            case (.sliding, .some(let s)):
                let step: WindowSpec.Extent
                let larger: Bool
                switch size {
                case .count(let n):
                    let k = try positiveCount(s, "\(path).step")
                    step = .count(k)
                    larger = k > n
                case .milliseconds(let ms):
                    let k = try duration(s, "\(path).step")
                    step = .milliseconds(k)
                    larger = k > ms
                }
                if larger {
                    throw error(s, "\(path).step", "the step \(describe(s)) is larger than the window, which would skip events",
                                "Give a step no larger than the \(byTime ? "duration" : "size")")
                }
                return WindowSpec(sliding: size, step: step)
            }
        }
    }
}
