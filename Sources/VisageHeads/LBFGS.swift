/// Limited-memory BFGS for smooth, unconstrained minimisation of a function of a few thousand
/// parameters (the heads' softmax regression has classes × (features + 1) of them).
///
/// Deterministic: no randomness, so the same data give the same weights. A backtracking line
/// search with the Armijo condition keeps every step a descent; a pair whose curvature
/// `sᵀy` is not positive is dropped rather than allowed to break the inverse-Hessian estimate.
struct LBFGS {
    /// Past steps kept for the inverse-Hessian estimate; default 10.
    var memory = 10
    /// Stop when the largest gradient component is below this; default 1e-6.
    var gradientTolerance = 1e-6
    /// Stop when an iteration lowers the objective by less than this fraction; default 1e-10.
    var relativeDecrease = 1e-10
    /// Hard cap on iterations; default 500.
    var maxIterations = 500

    struct Result {
        var parameters: [Double]
        var value: Double
        var iterations: Int
        /// Whether a tolerance was met rather than the iteration cap.
        var converged: Bool
    }

    /// Minimises `objective`, which returns the value and writes the gradient at the given point.
    func minimize(from start: [Double], _ objective: ([Double], inout [Double]) -> Double) -> Result {
        let n = start.count
        var x = start
        var gradient = [Double](repeating: 0, count: n)
        var value = objective(x, &gradient)
        var steps: [[Double]] = []
        var gradientChanges: [[Double]] = []
        var rhos: [Double] = []
        var nextGradient = [Double](repeating: 0, count: n)
        for iteration in 0..<maxIterations {
            if gradient.map(abs).max() ?? 0 < gradientTolerance {
                return Result(parameters: x, value: value, iterations: iteration, converged: true)
            }
            // Two-loop recursion: direction = -H·g.
            var q = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for i in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[i] = rhos[i] * dot(steps[i], q)
                axpy(-alphas[i], gradientChanges[i], &q)
            }
            if let s = steps.last, let y = gradientChanges.last {
                let gamma = dot(s, y) / dot(y, y)
                for j in 0..<n { q[j] *= gamma }
            } else {
                // First step: unit length, so the line search starts at a sensible scale.
                let norm = dot(q, q).squareRoot()
                if norm > 0 { for j in 0..<n { q[j] /= norm } }
            }
            for i in 0..<steps.count {
                let beta = rhos[i] * dot(gradientChanges[i], q)
                axpy(alphas[i] - beta, steps[i], &q)
            }
            var direction = q.map { -$0 }
            var slope = dot(direction, gradient)
            if slope >= 0 {
                // Not a descent direction (numerical trouble): fall back to steepest descent.
                direction = gradient.map { -$0 }
                slope = -dot(gradient, gradient)
                steps.removeAll(); gradientChanges.removeAll(); rhos.removeAll()
            }
            var stepLength = 1.0
            var candidate = x
            var candidateValue = value
            var accepted = false
            for _ in 0..<40 {
                for j in 0..<n { candidate[j] = x[j] + stepLength * direction[j] }
                candidateValue = objective(candidate, &nextGradient)
                if candidateValue <= value + 1e-4 * stepLength * slope { accepted = true; break }
                stepLength *= 0.5
            }
            guard accepted else { return Result(parameters: x, value: value, iterations: iteration, converged: true) }
            let s = (0..<n).map { candidate[$0] - x[$0] }
            let y = (0..<n).map { nextGradient[$0] - gradient[$0] }
            let curvature = dot(s, y)
            if curvature > 1e-12 {
                steps.append(s); gradientChanges.append(y); rhos.append(1 / curvature)
                if steps.count > memory { steps.removeFirst(); gradientChanges.removeFirst(); rhos.removeFirst() }
            }
            let decrease = value - candidateValue
            x = candidate
            swap(&gradient, &nextGradient)
            let previous = value
            value = candidateValue
            if decrease <= relativeDecrease * max(abs(previous), 1e-12) {
                return Result(parameters: x, value: value, iterations: iteration + 1, converged: true)
            }
        }
        return Result(parameters: x, value: value, iterations: maxIterations, converged: false)
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}

private func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
    for i in x.indices { y[i] += a * x[i] }
}
