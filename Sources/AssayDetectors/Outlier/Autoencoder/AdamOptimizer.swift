/// Adam with Keras' defaults and Keras' form of the update, over a fixed list of parameter
/// arrays ("slots"), each with its own first and second moments.
///
/// Step `t` (1-based) computes `α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)` in `Double` and rounds it to
/// `T`, with `lr`, `β₁` and `β₂` first rounded to `Float` as Keras 3 holds them (so a `Double`
/// network reproduces Keras' float64 Adam exactly; the powers come by repeated multiplication,
/// `√` is correctly rounded); then, element by element in `T`:
///
///     m ← m + (g − m)·(1 − β₁)
///     v ← v + (g·g − v)·(1 − β₂)
///     θ ← θ − (m·α) / (√v + ε)
///
/// with `(1 − β₁)`, `(1 − β₂)` and `ε` computed in `Double` and rounded to `T`. Callers update the
/// slots in a fixed order (the detectors: layers in forward order, kernel then bias); each
/// element's update is independent, so the order cannot change the result.
struct AdamOptimizer<T: NetworkScalar>: Sendable, Equatable {
    let learningRate: Double
    let beta1: Double
    let beta2: Double
    let epsilon: Double
    /// Steps begun so far (Keras' `iterations`).
    private(set) var iterations = 0
    private var beta1Power = 1.0
    private var beta2Power = 1.0
    /// The current step's `α`.
    private(set) var alpha: T = 0
    private var firstMoments: [[T]]
    private var secondMoments: [[T]]

    init(slotSizes: [Int], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = slotSizes.map { [T](repeating: 0, count: $0) }
        secondMoments = slotSizes.map { [T](repeating: 0, count: $0) }
    }

    /// Begins the next step: advances the counter and computes its `α`.
    mutating func beginStep() {
        iterations += 1
        beta1Power *= Double(Float(beta1))
        beta2Power *= Double(Float(beta2))
        alpha = T(Double(Float(learningRate)) * (1 - beta2Power).squareRoot() / (1 - beta1Power))
    }

    /// Applies the current step to `parameters` (slot `slot`) with `gradients`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    mutating func update(slot: Int, parameters: inout [T], gradients: [T]) {
        precondition(parameters.count == gradients.count && parameters.count == firstMoments[slot].count)
        let c1 = T(1 - beta1), c2 = T(1 - beta2), eps = T(epsilon), a = alpha
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                firstMoments[slot].withUnsafeMutableBufferPointer { m in
                    secondMoments[slot].withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            let gi = g[i]
                            let mi = m[i] + (gi - m[i]) * c1
                            let vi = v[i] + (gi * gi - v[i]) * c2
                            m[i] = mi
                            v[i] = vi
                            p[i] = p[i] - (mi * a) / (vi.squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }
}
