/// The privacy engine: every count about people that leaves a case goes through here before it
/// is shown or exported. A table of counts with its totals is protected by primary suppression
/// (small counts, and a cell that is its whole group), complementary suppression chosen greedily
/// (cheapest cells first), then an audit that solves, exactly, the smallest and largest value
/// each primary cell can take given what is published; more is suppressed until every one of
/// them stays uncertain by at least k and can reach k.
public struct SuppressionRules: Sendable, Equatable {
    /// The threshold: 5 on network dashboards, 11 on anything exported or put in a report.
    public let k: Int

    /// Thresholds can only be raised above the floor of their use.
    public init(k: Int, floor: Int = 5) {
        self.k = max(k, floor, 5)
    }

    public static let dashboard = SuppressionRules(k: 5)
    public static let export = SuppressionRules(k: 11, floor: 11)
}

/// A place in a table with its margins: a cell, a row's or a column's total, the grand total.
public struct GridPosition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let row: Int
    public let column: Int

    public init(_ row: Int, _ column: Int) {
        self.row = row
        self.column = column
    }

    public static func < (a: GridPosition, b: GridPosition) -> Bool { (a.row, a.column) < (b.row, b.column) }
    public var description: String { "(\(row), \(column))" }
}

/// Counts by row and column; totals are computed (the last row and column of the grid).
public struct CountTable: Sendable, Equatable {
    public let cells: [[Int]]

    public init(_ cells: [[Int]]) {
        precondition(!cells.isEmpty && cells.allSatisfy { $0.count == cells[0].count && !$0.isEmpty }, "a rectangular table")
        precondition(cells.allSatisfy { $0.allSatisfy { $0 >= 0 } }, "counts are not negative")
        self.cells = cells
    }

    public var rowCount: Int { cells.count }
    public var columnCount: Int { cells[0].count }

    /// The table with its totals: (rows + 1) × (columns + 1), the last row and column the totals.
    public var grid: [[Int]] {
        var grid = cells.map { $0 + [$0.reduce(0, +)] }
        grid.append((0...columnCount).map { j in grid.reduce(0) { $0 + $1[j] } })
        return grid
    }
}

/// What may be published: each place of the grid a value or suppressed.
public struct ProtectedTable: Sendable, Equatable {
    public let k: Int
    /// nil where suppressed.
    public let grid: [[Int?]]
    public let primary: Set<GridPosition>
    public let complementary: Set<GridPosition>
    /// How many times the audit ran before every primary cell was safe.
    public let auditRounds: Int

    public init(k: Int, grid: [[Int?]], primary: Set<GridPosition>, complementary: Set<GridPosition>, auditRounds: Int) {
        self.k = k
        self.grid = grid
        self.primary = primary
        self.complementary = complementary
        self.auditRounds = auditRounds
    }

    public func value(_ row: Int, _ column: Int) -> Int? { grid[row][column] }
    public var suppressedCount: Int { primary.count + complementary.count }
}

public enum Suppression {
    public static func protect(_ table: CountTable, rules: SuppressionRules) -> ProtectedTable {
        let k = rules.k
        let grid = table.grid
        let rows = table.rowCount, columns = table.columnCount
        var suppressed = Set<GridPosition>()
        // Primary: small counts anywhere, and a cell that is its whole small group.
        for i in 0...rows {
            for j in 0...columns {
                let value = grid[i][j]
                if value >= 1 && value < k { suppressed.insert(GridPosition(i, j)) }
                if i < rows, j < columns, value > 0 {
                    if value == grid[i][columns] && grid[i][columns] < 2 * k { suppressed.insert(GridPosition(i, j)) }
                    if value == grid[rows][j] && grid[rows][j] < 2 * k { suppressed.insert(GridPosition(i, j)) }
                }
            }
        }
        let primary = suppressed
        var rounds = 0
        // Hiding more only widens what an attacker can say of a hidden cell (fewer known values,
        // a larger feasible set): a primary cell found safe stays safe, and is not audited again.
        var safe = Set<GridPosition>()
        // Greedy, then audited, until nothing fails (at worst everything is suppressed).
        while true {
            var changed = true
            while changed {
                changed = false
                for line in lines(rows: rows, columns: columns) {
                    let hidden = line.filter(suppressed.contains)
                    guard !hidden.isEmpty else { continue }
                    let sum = hidden.reduce(0) { $0 + grid[$1.row][$1.column] }
                    // One hidden place in a line is its total minus the rest; the hidden ones
                    // together must not be small; a singleton's own respondent subtracts itself.
                    let needsMore =
                        hidden.count == 1 || sum < k || (hidden.count == 2 && hidden.contains { grid[$0.row][$0.column] == 1 })
                    if needsMore, let extra = cheapest(in: line, excluding: suppressed, grid: grid, rows: rows, columns: columns) {
                        suppressed.insert(extra)
                        changed = true
                    }
                }
            }
            rounds += 1
            let failing = primary.subtracting(safe).sorted().first { position in
                guard let (low, high) = Audit.interval(of: position, grid: grid, suppressed: suppressed) else { return false }
                let fails = high.map { $0 - low < k || $0 < k } ?? false
                if !fails { safe.insert(position) }
                return fails
            }
            guard let failing else { break }
            let line = lines(rows: rows, columns: columns).filter { $0.contains(failing) }
            let extra = line.lazy.compactMap { cheapest(in: $0, excluding: suppressed, grid: grid, rows: rows, columns: columns) }.first
            guard let extra else {
                // Nothing left to hide beside it: hide the table's remaining places.
                for i in 0...rows { for j in 0...columns { suppressed.insert(GridPosition(i, j)) } }
                break
            }
            suppressed.insert(extra)
        }
        return ProtectedTable(
            k: k, grid: grid.enumerated().map { i, row in row.enumerated().map { j, v in suppressed.contains(GridPosition(i, j)) ? nil : v } },
            primary: primary, complementary: suppressed.subtracting(primary), auditRounds: rounds)
    }

    /// Every row and every column of the grid, each a line whose last place is its total.
    static func lines(rows: Int, columns: Int) -> [[GridPosition]] {
        (0...rows).map { i in (0...columns).map { GridPosition(i, $0) } } + (0...columns).map { j in (0...rows).map { GridPosition($0, j) } }
    }

    /// The cheapest place of a line to hide: inner cells before totals, non-zero before zero
    /// (hiding a zero says little), smallest first.
    static func cheapest(in line: [GridPosition], excluding hidden: Set<GridPosition>, grid: [[Int]], rows: Int, columns: Int) -> GridPosition? {
        line.filter { !hidden.contains($0) }.min { a, b in
            func cost(_ p: GridPosition) -> (Int, Int, Int, GridPosition) {
                let value = grid[p.row][p.column]
                return (p.row == rows || p.column == columns ? 1 : 0, value == 0 ? 1 : 0, value, p)
            }
            return cost(a) < cost(b)
        }
    }
}

/// The attack the audit defends against: what an adversary can compute about a hidden place from
/// the published places and the additivity of the table (every total the sum of its parts), the
/// hidden ones not negative.
///
/// A two-way table with its margins is a network: a node per row and per column, an edge per
/// place of the grid. Written with the margins' signs flipped (y = x for an inner cell and the
/// grand total, y = −x for a row's or a column's total), every row and column of y sums to zero,
/// so the ways the hidden places can change together are exactly the circulations over the
/// hidden edges, each bounded by its place staying at or above zero. How far a place can rise
/// or fall is then a maximum flow around its own edge — the same optimum as the linear program
/// (the matrix is totally unimodular), found in integers in microseconds. The attacker's side of
/// the tests solves the program itself with the exact simplex, as a second implementation.
public enum Audit {
    /// The smallest and largest value `position` can take; nil when it is published. The largest
    /// is nil when nothing bounds it (its whole chain of totals is hidden).
    public static func interval(of position: GridPosition, grid: [[Int]], suppressed: Set<GridPosition>) -> (low: Int, high: Int?)? {
        guard suppressed.contains(position) else { return nil }
        let rows = grid.count - 1, columns = grid[0].count - 1
        let nodes = rows + columns + 2
        func columnNode(_ j: Int) -> Int { rows + 1 + j }
        func sign(_ p: GridPosition) -> Int { (p.row == rows ? -1 : 1) * (p.column == columns ? -1 : 1) }
        // Every finite flow is below the sum of the grid (four times its grand total).
        let unbounded = 4 * grid[rows][columns] + 1
        var capacity = [[Int]](repeating: [Int](repeating: 0, count: nodes), count: nodes)
        for place in suppressed where place != position {
            let value = grid[place.row][place.column]
            let row = place.row, column = columnNode(place.column)
            // y may rise without bound on a place counted positively, and fall only to zero.
            capacity[row][column] = sign(place) > 0 ? unbounded : value
            capacity[column][row] = sign(place) > 0 ? value : unbounded
        }
        let value = grid[position.row][position.column]
        let row = position.row, column = columnNode(position.column)
        // Raising x sends flow over its own edge from row to column when it counts positively
        // (back otherwise); the rest of the table has to carry it home.
        let rise =
            sign(position) > 0
            ? maximumFlow(capacity, from: column, to: row, limit: unbounded) : maximumFlow(capacity, from: row, to: column, limit: unbounded)
        let fall =
            sign(position) > 0
            ? maximumFlow(capacity, from: row, to: column, limit: unbounded) : maximumFlow(capacity, from: column, to: row, limit: unbounded)
        return (value - min(value, fall), rise >= unbounded ? nil : value + rise)
    }

    /// Edmonds–Karp on a small dense graph, stopping once `limit` is reached.
    static func maximumFlow(_ capacity: [[Int]], from source: Int, to sink: Int, limit: Int) -> Int {
        var residual = capacity
        let nodes = capacity.count
        var flow = 0
        while flow < limit {
            var previous = [Int](repeating: -1, count: nodes)
            previous[source] = source
            var queue = [source]
            var head = 0
            while head < queue.count, previous[sink] < 0 {
                let u = queue[head]
                head += 1
                for v in 0..<nodes where previous[v] < 0 && residual[u][v] > 0 {
                    previous[v] = u
                    queue.append(v)
                }
            }
            guard previous[sink] >= 0 else { break }
            var push = limit - flow
            var v = sink
            while v != source {
                push = min(push, residual[previous[v]][v])
                v = previous[v]
            }
            v = sink
            while v != source {
                let u = previous[v]
                residual[u][v] -= push
                residual[v][u] += push
                v = u
            }
            flow += push
        }
        return flow
    }
}

/// The other disclosure rules of the network's figures.
public enum Disclosure {
    /// A percentage, whole, only when its denominator reaches k.
    public static func percentage(_ part: Int, of whole: Int, rules: SuppressionRules) -> Int? {
        guard whole >= rules.k, part >= 0, part <= whole else { return nil }
        return Int((Double(part) * 100 / Double(whole)).rounded())
    }

    /// A median only for a group of at least k.
    public static func median(_ values: [Int], rules: SuppressionRules) -> Double? {
        guard values.count >= rules.k else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
    }

    /// A mean only for a group of at least k.
    public static func mean(_ values: [Int], rules: SuppressionRules) -> Double? {
        guard values.count >= rules.k else { return nil }
        return Double(values.reduce(0, +)) / Double(values.count)
    }

    /// How many organisations contributed: shown only from three (never which).
    public static func contributors(_ count: Int) -> Int? { count >= 3 ? count : nil }
}
