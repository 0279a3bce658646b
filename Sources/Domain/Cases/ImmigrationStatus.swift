/// A person's immigration status: recorded on the case, and what a service's eligibility is
/// written in (TFWP is the employer-specific permit).
public enum ImmigrationStatus: String, CaseIterable, Sendable {
    case citizen, permanentResident = "permanent_resident", employerSpecificPermit = "employer_specific_permit",
        openWorkPermit = "open_work_permit", vowpHolder = "vowp_holder", trpHolder = "trp_holder",
        refugeeClaimant = "refugee_claimant", visitor, student, noStatus = "no_status", other
    public var labelKey: String { "case.immigration.\(rawValue)" }
}
