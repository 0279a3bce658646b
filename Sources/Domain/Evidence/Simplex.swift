/// A linear program in equality form — minimise c·x subject to A x = b, x ≥ 0 — solved exactly
/// over rationals by the two-phase simplex method with Bland's rule (which cannot cycle). The
/// suppression audit's programs are small (a variable per suppressed cell, a constraint per
/// total), so exactness costs nothing that matters.
public enum Simplex {
    public enum Outcome: Equatable, Sendable {
        case optimal(value: Rational, solution: [Rational])
        case infeasible
        case unbounded
    }

    public static func minimise(_ c: [Rational], equalities a: [[Rational]], _ b: [Rational]) -> Outcome {
        let n = c.count
        let m = a.count
        // Rows with b ≥ 0; one artificial variable per row.
        var rows: [[Rational]] = []
        var rhs: [Rational] = []
        for i in 0..<m {
            let flip = b[i].isNegative
            rows.append(a[i].map { flip ? -$0 : $0 })
            rhs.append(flip ? -b[i] : b[i])
        }
        let total = n + m
        var tableau = (0..<m).map { i in rows[i] + (0..<m).map { $0 == i ? Rational.one : .zero } + [rhs[i]] }
        var basis = (0..<m).map { n + $0 }

        func pivot(_ row: Int, _ column: Int) {
            let p = tableau[row][column]
            tableau[row] = tableau[row].map { $0 / p }
            for r in 0..<m where r != row && !tableau[r][column].isZero {
                let factor = tableau[r][column]
                for j in 0...total { tableau[r][j] = tableau[r][j] - factor * tableau[row][j] }
            }
            basis[row] = column
        }

        /// Runs the simplex on `cost` over the columns in `allowed`; false when unbounded.
        func run(_ cost: [Rational], allowed: (Int) -> Bool) -> Bool {
            while true {
                // Reduced costs: c_j − c_B · column j.
                var entering: Int?
                for j in 0..<total where allowed(j) && !basis.contains(j) {
                    var reduced = cost[j]
                    for r in 0..<m where !tableau[r][j].isZero { reduced = reduced - cost[basis[r]] * tableau[r][j] }
                    if reduced.isNegative {
                        entering = j
                        break
                    }
                }
                guard let column = entering else { return true }
                var leaving: Int?
                var best: Rational?
                for r in 0..<m where tableau[r][column].isPositive {
                    let ratio = tableau[r][total] / tableau[r][column]
                    if best == nil || ratio < best! || (ratio == best! && basis[r] < basis[leaving!]) {
                        best = ratio
                        leaving = r
                    }
                }
                guard let row = leaving else { return false }
                pivot(row, column)
            }
        }

        // Phase 1: minimise the sum of the artificials.
        let phase1 = (0..<total).map { $0 >= n ? Rational.one : .zero }
        _ = run(phase1, allowed: { _ in true })
        var infeasibility = Rational.zero
        for r in 0..<m where basis[r] >= n { infeasibility = infeasibility + tableau[r][total] }
        guard infeasibility.isZero else { return .infeasible }
        // Drive artificials out of the basis where a real column can replace them.
        for r in 0..<m where basis[r] >= n {
            if let j = (0..<n).first(where: { !tableau[r][$0].isZero }) { pivot(r, j) }
        }
        // Phase 2 over the real columns only.
        let phase2 = (0..<total).map { $0 < n ? c[$0] : .zero }
        guard run(phase2, allowed: { $0 < n }) else { return .unbounded }
        var solution = [Rational](repeating: .zero, count: n)
        for r in 0..<m where basis[r] < n { solution[basis[r]] = tableau[r][total] }
        var value = Rational.zero
        for j in 0..<n { value = value + c[j] * solution[j] }
        return .optimal(value: value, solution: solution)
    }
}
