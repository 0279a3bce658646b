import Domain
import Foundation
import Testing

@Suite struct PrivacyEngineTests {
    @Test func theSimplexFindsKnownOptimaExactly() {
        // setup: min −x − y s.t. x + 2y + s1 = 4, 3x + y + s2 = 6 (optimum x = 8/5, y = 6/5, value −14/5)
        let r = { (n: Int) in Rational(n) }
        // MUT
        let outcome = Simplex.minimise(
            [r(-1), r(-1), r(0), r(0)], equalities: [[r(1), r(2), r(1), r(0)], [r(3), r(1), r(0), r(1)]], [r(4), r(6)])
        let infeasible = Simplex.minimise([r(1)], equalities: [[r(1)], [r(1)]], [r(1), r(2)])
        let unbounded = Simplex.minimise([r(-1), r(0)], equalities: [[r(1), r(-1)]], [r(1)])
        // A degenerate program that cycles without Bland's rule (Beale's example, in equality form).
        let beale = Simplex.minimise(
            [Rational(-3, 4), r(150), Rational(-1, 50), r(6), r(0), r(0), r(0)],
            equalities: [
                [Rational(1, 4), r(-60), Rational(-1, 25), r(9), r(1), r(0), r(0)],
                [Rational(1, 2), r(-90), Rational(-1, 50), r(3), r(0), r(1), r(0)],
                [r(0), r(0), r(1), r(0), r(0), r(0), r(1)],
            ], [r(0), r(0), r(1)])
        // validate
        guard case .optimal(let value, let solution) = outcome else {
            Issue.record("no optimum")
            return
        }
        #expect(value == Rational(-14, 5) && solution[0] == Rational(8, 5) && solution[1] == Rational(6, 5))
        #expect(infeasible == .infeasible && unbounded == .unbounded)
        if case .optimal(let value, _) = beale { #expect(value == Rational(-1, 20)) } else { Issue.record("Beale's example: \(beale)") }
    }

    @Test func smallCountsAndWholeGroupsAreSuppressedAndCannotBeRecomputed() {
        // setup
        let table = CountTable([[20, 3, 15], [12, 30, 9], [25, 18, 40]])
        // MUT
        let protected = Suppression.protect(table, rules: .dashboard)
        // validate
        #expect(protected.value(0, 1) == nil && protected.primary.contains(GridPosition(0, 1)))
        #expect(protected.complementary.count >= 3)
        #expect(protected.value(3, 3) == 172)
        #expect(Attacker.narrowest(protected) ?? 1000 >= 5)
    }

    @Test func aRowWhoseEveryoneSharesTheValueIsSuppressed() {
        // setup: all 7 people of row 0 are in one column.
        let protected = Suppression.protect(CountTable([[7, 0, 0], [20, 15, 12], [9, 30, 14]]), rules: .dashboard)
        // validate
        #expect(protected.primary.contains(GridPosition(0, 0)))
        #expect(Attacker.narrowest(protected) ?? 1000 >= 5)
    }

    @Test func theExportThresholdIsElevenAndCannotBeLowered() {
        #expect(SuppressionRules.export.k == 11 && SuppressionRules(k: 3).k == 5 && SuppressionRules(k: 7, floor: 11).k == 11)
        #expect(SuppressionRules(k: 20).k == 20)
        let protected = Suppression.protect(CountTable([[40, 10], [30, 60]]), rules: .export)
        #expect(protected.primary.contains(GridPosition(0, 1)) && Attacker.narrowest(protected) ?? 1000 >= 11)
    }

    @Test(arguments: 0..<120) func noSuppressedCellOfARandomTableCanBeNarrowedBelowK(seed: Int) {
        // setup
        var generator = SplitMix(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let rows = Int.random(in: 2...5, using: &generator), columns = Int.random(in: 2...5, using: &generator)
        let cells = (0..<rows).map { _ in
            (0..<columns).map { _ in
                switch Int.random(in: 0..<10, using: &generator) {
                case 0..<2: 0
                case 2..<5: Int.random(in: 1...4, using: &generator)
                default: Int.random(in: 5...60, using: &generator)
                }
            }
        }
        let rules = seed % 3 == 0 ? SuppressionRules.export : .dashboard
        // MUT
        let protected = Suppression.protect(CountTable(cells), rules: rules)
        // validate: every small count is hidden, and the attacker finds no primary cell narrower than k.
        for (i, row) in cells.enumerated() {
            for (j, value) in row.enumerated() where value > 0 && value < rules.k {
                #expect(protected.value(i, j) == nil, "\(cells) (\(i), \(j))")
            }
        }
        if let narrowest = Attacker.narrowest(protected) { #expect(narrowest >= rules.k, "\(cells) → \(protected.grid)") }
    }

    @Test(arguments: 0..<60) func theAuditsFlowFindsTheSameIntervalAsTheLinearProgram(seed: Int) {
        // setup: a random table and a random set of hidden places, totals among them.
        var generator = SplitMix(seed: UInt64(seed) &* 0x2545_F491_4F6C_DD1D &+ 7)
        let rows = Int.random(in: 1...4, using: &generator), columns = Int.random(in: 1...4, using: &generator)
        let table = CountTable((0..<rows).map { _ in (0..<columns).map { _ in Int.random(in: 0...12, using: &generator) } })
        let grid = table.grid
        var hidden = Set<GridPosition>()
        for i in 0...rows { for j in 0...columns where Int.random(in: 0..<3, using: &generator) > 0 { hidden.insert(GridPosition(i, j)) } }
        for place in hidden {
            // MUT
            guard let (low, high) = Audit.interval(of: place, grid: grid, suppressed: hidden) else { continue }
            // validate: the attacker's program on what is published.
            let published = ProtectedTable(
                k: 5, grid: grid.enumerated().map { i, row in row.enumerated().map { j, v in hidden.contains(GridPosition(i, j)) ? nil : v } },
                primary: [], complementary: [], auditRounds: 0)
            let (lpLow, lpHigh) = Attacker.interval(of: place, in: published)
            #expect(Rational(low) == lpLow, "\(grid) \(hidden.sorted()) \(place)")
            #expect(high.map(Rational.init) == lpHigh, "\(grid) \(hidden.sorted()) \(place)")
        }
    }

    @Test func percentagesMediansAndContributorsNeedEnoughPeople() {
        #expect(Disclosure.percentage(3, of: 4, rules: .dashboard) == nil && Disclosure.percentage(3, of: 12, rules: .dashboard) == 25)
        #expect(Disclosure.median([1, 2, 3, 4], rules: .dashboard) == nil && Disclosure.median([5, 1, 3, 2, 4], rules: .dashboard) == 3)
        #expect(
            Disclosure.mean([26, 28, 30, 24, 22], rules: .dashboard) == 26 && Disclosure.contributors(2) == nil && Disclosure.contributors(3) == 3)
    }
}

/// A second routine, on the attacker's side: it reads only what is published and builds its own
/// program — a variable for every place of the grid, the published ones fixed by an equation —
/// and asks, for each hidden primary place, how little and how much it can be.
enum Attacker {
    static func narrowest(_ table: ProtectedTable) -> Int? {
        var narrowest: Int?
        for place in table.primary where table.grid[place.row][place.column] == nil {
            let (low, high) = interval(of: place, in: table)
            guard let high else { continue }
            let width = Int((high - low).floor)
            // A place that cannot reach k is as good as disclosed.
            let score = high < Rational(table.k) ? 0 : width
            narrowest = min(narrowest ?? score, score)
        }
        return narrowest
    }

    /// The least and the most a hidden place can be; the most nil when unbounded.
    static func interval(of place: GridPosition, in table: ProtectedTable) -> (Rational, Rational?) {
        let rows = table.grid.count - 1, columns = table.grid[0].count - 1
        let places = (0...rows).flatMap { i in (0...columns).map { GridPosition(i, $0) } }
        let index = Dictionary(uniqueKeysWithValues: places.enumerated().map { ($1, $0) })
        var a: [[Rational]] = []
        var b: [Rational] = []
        for place in places {
            guard let value = table.grid[place.row][place.column] else { continue }
            var row = [Rational](repeating: .zero, count: places.count)
            row[index[place]!] = .one
            a.append(row)
            b.append(Rational(value))
        }
        for i in 0...rows {
            var row = [Rational](repeating: .zero, count: places.count)
            for j in 0..<columns { row[index[GridPosition(i, j)]!] = .one }
            row[index[GridPosition(i, columns)]!] = Rational(-1)
            a.append(row)
            b.append(.zero)
        }
        for j in 0...columns {
            var row = [Rational](repeating: .zero, count: places.count)
            for i in 0..<rows { row[index[GridPosition(i, j)]!] = .one }
            row[index[GridPosition(rows, j)]!] = Rational(-1)
            a.append(row)
            b.append(.zero)
        }
        var objective = [Rational](repeating: .zero, count: places.count)
        objective[index[place]!] = .one
        guard case .optimal(let low, _) = Simplex.minimise(objective, equalities: a, b) else { return (.zero, nil) }
        guard case .optimal(let negativeHigh, _) = Simplex.minimise(objective.map { -$0 }, equalities: a, b) else { return (low, nil) }
        return (low, -negativeHigh)
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
