import AssayNumerics

extension AnchorTabular {
    /// The candidate predicates for instance `x`, in Alibi's order (by column; for a numerical
    /// feature by cut point): see ``AnchorPredicate``.
    /// - Throws: ``ExplainerError/invalidData(place:problem:fix:)`` when `x` does not have M
    ///   finite values, or a categorical value is not a category code.
    public func predicates(for x: [Double]) throws(ExplainerError) -> [AnchorPredicate] {
        let bins = try instanceBins(x)
        var out: [AnchorPredicate] = []
        for j in 0..<featureCount {
            if isCategorical(j) {
                out.append(AnchorPredicate(feature: j, bins: bins[j]...bins[j]))
            } else {
                let b = binCount(j)
                for cut in 0..<(b - 1) {
                    out.append(AnchorPredicate(feature: j, bins: bins[j] <= cut ? 0...cut : (cut + 1)...(b - 1)))
                }
            }
        }
        return out
    }

    /// The bins of instance `x`, after checking it.
    func instanceBins(_ x: [Double]) throws(ExplainerError) -> [Int] {
        guard x.count == featureCount else {
            throw .invalidData(place: "instance", problem: "has \(x.count) values for \(featureCount) features",
                               fix: "Pass one value per reference column")
        }
        if let j = x.firstIndex(where: { !$0.isFinite }) {
            throw .invalidData(place: "instance feature \(j) (\(featureNames[j]))", problem: "is \(x[j])",
                               fix: "Impute missing values first")
        }
        for (j, names) in categoricalNames {
            let v = x[j]
            guard v >= 0, v < Double(names.count), v == v.rounded() else {
                throw .invalidData(place: "instance feature \(j) (\(featureNames[j]))",
                                   problem: "is \(v), not a category code 0…\(names.count - 1)",
                                   fix: "Encode categories as ordinal codes")
            }
        }
        return (0..<featureCount).map { bin(x[$0], feature: $0) }
    }

    /// The features an anchor constrains, each once, in the order they first appear.
    public func anchorFeatures(_ anchor: [AnchorPredicate]) -> [Int] {
        var seen: [Int] = []
        for p in anchor where !seen.contains(p.feature) { seen.append(p.feature) }
        return seen
    }

    /// The bins each constrained feature may take: the intersection of its predicates' bins
    /// (`nil` when they do not meet), by feature in order of first appearance.
    func allowedBins(_ anchor: [AnchorPredicate]) -> [(feature: Int, bins: ClosedRange<Int>?)] {
        anchorFeatures(anchor).map { j in
            var lo = Int.min, hi = Int.max
            for p in anchor where p.feature == j {
                lo = max(lo, p.bins.lowerBound)
                hi = min(hi, p.bins.upperBound)
            }
            return (j, lo <= hi ? lo...hi : nil)
        }
    }

    /// The anchor in words, as Alibi writes it: one entry per feature in order of first
    /// appearance; a numerical feature's predicates merged into `a < name <= b`, `name <= b` or
    /// `name > a` (cut points with two decimals), a categorical one `name = category` (just the
    /// category when its name holds `<` or `>`).
    public func describe(_ anchor: [AnchorPredicate]) -> [String] {
        allowedBins(anchor).map { j, bins in
            let name = featureNames[j]
            guard let bins else { return "\(name) in no bin" }
            if let categories = categoricalNames[j] {
                let c = categories[bins.lowerBound]
                return c.contains("<") || c.contains(">") ? c : "\(name) = \(c)"
            }
            let q = edges[j], last = q.count
            let lower = bins.lowerBound > 0 ? Self.formatTwoDecimals(q[bins.lowerBound - 1]) : nil
            let upper = bins.upperBound < last ? Self.formatTwoDecimals(q[bins.upperBound]) : nil
            switch (lower, upper) {
            case let (l?, u?): return "\(l) < \(name) <= \(u)"
            case let (nil, u?): return "\(name) <= \(u)"
            case let (l?, nil): return "\(name) > \(l)"
            case (nil, nil): return "\(name) in any bin"
            }
        }
    }
}
