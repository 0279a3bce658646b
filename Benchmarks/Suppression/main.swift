// Suppression benchmark (issue 14): the privacy engine's primary and complementary suppression
// with its audit, on 13 × 15 tables (the provinces and territories by fifteen columns), timed
// over many random tables of three kinds: sparse small counts (most cells primary, the hardest
// case), mixed, and large counts. Release build: `swift run -c release SuppressionBenchmark`.
import Domain
import Foundation

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let kinds: [(String, ClosedRange<Int>, Int)] = [("small counts", 0...6, 200), ("mixed", 0...40, 200), ("large counts", 20...400, 200)]
print("Passerelle suppression benchmark — 13 × 15 tables, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("kind            k   tables   p50 ms   p95 ms   max ms   suppressed   audit rounds (max)")
var generator = SplitMix(state: 14)
for (name, range, count) in kinds {
    for rules in [SuppressionRules.dashboard, .export] {
        var times: [Double] = []
        var suppressed = 0
        var rounds = 0
        for _ in 0..<count {
            let table = CountTable((0..<13).map { _ in (0..<15).map { _ in Int.random(in: range, using: &generator) } })
            let start = DispatchTime.now().uptimeNanoseconds
            let protected = Suppression.protect(table, rules: rules)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
            suppressed += protected.suppressedCount
            rounds = max(rounds, protected.auditRounds)
        }
        times.sort()
        let p50 = times[times.count / 2], p95 = times[Int(Double(times.count) * 0.95)], worst = times.last!
        print(
            name.padding(toLength: 14, withPad: " ", startingAt: 0),
            String(
                format: "%3d %8d %8.2f %8.2f %8.2f %12.1f %8d", rules.k, count, p50, p95, worst,
                Double(suppressed) / Double(count), rounds))
    }
}
