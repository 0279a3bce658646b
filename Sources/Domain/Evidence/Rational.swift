import BigInt

/// An exact fraction over arbitrary-precision integers: the simplex of the suppression audit
/// pivots on these, so no rounding can make a disclosed cell look protected.
public struct Rational: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let numerator: BigInt
    public let denominator: BigInt

    public init(_ numerator: BigInt, _ denominator: BigInt = 1) {
        precondition(denominator != 0, "a rational with a zero denominator")
        let sign: BigInt = denominator < 0 ? -1 : 1
        let divisor = numerator.greatestCommonDivisor(with: denominator)
        let g = divisor == 0 ? 1 : divisor
        self.numerator = sign * numerator / g
        self.denominator = sign * denominator / g
    }

    public init(_ value: Int) { self.init(BigInt(value), 1) }

    public static let zero = Rational(0)
    public static let one = Rational(1)

    public var isZero: Bool { numerator == 0 }
    public var isNegative: Bool { numerator < 0 }
    public var isPositive: Bool { numerator > 0 }

    public static func + (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator)
    }
    public static func - (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator - b.numerator * a.denominator, a.denominator * b.denominator)
    }
    public static func * (a: Rational, b: Rational) -> Rational { Rational(a.numerator * b.numerator, a.denominator * b.denominator) }
    public static func / (a: Rational, b: Rational) -> Rational { Rational(a.numerator * b.denominator, a.denominator * b.numerator) }
    public static prefix func - (a: Rational) -> Rational { Rational(-a.numerator, a.denominator) }
    public static func < (a: Rational, b: Rational) -> Bool { a.numerator * b.denominator < b.numerator * a.denominator }

    /// The largest integer not above the value.
    public var floor: BigInt {
        let (q, r) = numerator.quotientAndRemainder(dividingBy: denominator)
        return r < 0 ? q - 1 : q
    }

    public var ceiling: BigInt { -(-self).floor }

    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}
