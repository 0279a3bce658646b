import Foundation

/// What is sealed of the experience: names and places, and the person's own words.
struct ExperienceDetails: Codable, Sendable {
    var employers: String = ""
    var recruiters: String = ""
    var recruitmentPlace: String = ""
    var recruitmentWhen: String = ""
    var exploitationPlace: String = ""
    var exploitationWhen: String = ""
    var account: String = ""
}
