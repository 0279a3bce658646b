import Fluent
import Foundation

/// One failed attempt, kept for the throttling window. `scope` is `account`, `address` or
/// `totp`; `subject` the normalised e-mail, the client address or the user id.
final class SignInFailure: Model, @unchecked Sendable {
    static let schema = "sign_in_failures"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "subject") var subject: String
    @Field(key: "at") var at: Date

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $scope, $subject, $at] }

    init(scope: String, subject: String, at: Date) {
        self.scope = scope
        self.subject = subject
        self.at = at
    }
}
