from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class Action(models.TextChoices):
    """Every kind of audited event. Later parts add theirs here."""

    SIGN_IN = "signIn", _("Sign-in")
    SIGN_IN_FAILED = "signInFailed", _("Failed sign-in")
    SIGN_OUT = "signOut", _("Sign-out")
    ACCOUNT_LOCKED = "accountLocked", _("Account locked")
    MFA_ENROLLED = "mfaEnrolled", _("Second factor set up")
    MFA_REMOVED = "mfaRemoved", _("Second factor removed")
    TENANT_UPDATED = "tenantUpdated", _("Tenant settings changed")
    IDENTITY_PROVIDER_UPDATED = "identityProviderUpdated", _("Identity provider changed")
    USER_CREATED = "userCreated", _("User created")
    USER_UPDATED = "userUpdated", _("User changed")
    USERS_IMPORTED = "usersImported", _("Users imported")
    GROUP_CREATED = "groupCreated", _("Group created")
    GROUP_UPDATED = "groupUpdated", _("Group changed")
    GROUP_DELETED = "groupDeleted", _("Group deleted")
    GROUP_MEMBER_ADDED = "groupMemberAdded", _("Group member added")
    GROUP_MEMBER_REMOVED = "groupMemberRemoved", _("Group member removed")
    GROUPS_IMPORTED = "groupsImported", _("Groups imported")
    ROLE_CREATED = "roleCreated", _("Role created")
    ROLE_UPDATED = "roleUpdated", _("Role changed")
    ROLE_DELETED = "roleDeleted", _("Role deleted")
    ROLE_ASSIGNMENT_CREATED = "roleAssignmentCreated", _("Role assignment created")
    ROLE_ASSIGNMENT_UPDATED = "roleAssignmentUpdated", _("Role assignment changed")
    ROLE_ASSIGNMENT_DELETED = "roleAssignmentDeleted", _("Role assignment deleted")
    DEVICE_ENROLLED = "deviceEnrolled", _("Device enrolled")
    # enrollment administration (fleet)
    ENROLLMENT_SETTINGS_UPDATED = "enrollmentSettingsUpdated", _("Enrollment settings changed")
    ENROLLMENT_RESTRICTION_CREATED = (
        "enrollmentRestrictionCreated",
        _("Enrollment restriction created"),
    )
    ENROLLMENT_RESTRICTION_UPDATED = (
        "enrollmentRestrictionUpdated",
        _("Enrollment restriction changed"),
    )
    ENROLLMENT_RESTRICTION_PRIORITY_CHANGED = (
        "enrollmentRestrictionPriorityChanged",
        _("Enrollment restriction priority changed"),
    )
    ENROLLMENT_RESTRICTION_DELETED = (
        "enrollmentRestrictionDeleted",
        _("Enrollment restriction deleted"),
    )
    BULK_TOKEN_CREATED = "bulkEnrollmentTokenCreated", _("Bulk enrollment token created")
    BULK_TOKEN_REVOKED = "bulkEnrollmentTokenRevoked", _("Bulk enrollment token revoked")
    DEPLOYMENT_PROFILE_CREATED = "deploymentProfileCreated", _("Deployment profile created")
    DEPLOYMENT_PROFILE_UPDATED = "deploymentProfileUpdated", _("Deployment profile changed")
    PREPROVISIONED_DEVICE_ADDED = (
        "preProvisionedDeviceAdded",
        _("Pre-provisioned device registered"),
    )
    PREPROVISIONED_DEVICE_PROFILE_ASSIGNED = (
        "preProvisionedDeviceProfileAssigned",
        _("Deployment profile assigned to a pre-provisioned device"),
    )
    PREPROVISIONED_DEVICE_REMOVED = (
        "preProvisionedDeviceRemoved",
        _("Pre-provisioned device removed"),
    )
    CORPORATE_IDENTIFIER_ADDED = "corporateIdentifierAdded", _("Corporate identifier added")
    CORPORATE_IDENTIFIER_REMOVED = "corporateIdentifierRemoved", _("Corporate identifier removed")
    # device actions and diagnostics (fleet)
    DEVICE_ACTION_REQUESTED = "deviceActionRequested", _("Device action requested")
    DEVICE_ACTION_CANCELED = "deviceActionCanceled", _("Device action canceled")
    DEVICE_ACTION_FINISHED = "deviceActionFinished", _("Device action finished")
    DEVICE_UNENROLLED = "deviceUnenrolled", _("Device unenrolled")
    DEVICES_EXPORTED = "devicesExported", _("Device list exported")
    DIAGNOSTICS_UPLOADED = "diagnosticsUploaded", _("Diagnostics uploaded")
    DIAGNOSTICS_DOWNLOADED = "diagnosticsDownloaded", _("Diagnostics downloaded")
    DIAGNOSTICS_EXPIRED = "diagnosticsExpired", _("Diagnostics deleted after expiry")
    # compliance policies and configuration profiles (policies)
    COMPLIANCE_POLICY_CREATED = "compliancePolicyCreated", _("Compliance policy created")
    COMPLIANCE_POLICY_UPDATED = "compliancePolicyUpdated", _("Compliance policy changed")
    COMPLIANCE_POLICY_DELETED = "compliancePolicyDeleted", _("Compliance policy deleted")
    COMPLIANCE_POLICY_ASSIGNED = "compliancePolicyAssigned", _("Compliance policy assignments")
    COMPLIANCE_SETTINGS_UPDATED = "complianceSettingsUpdated", _("Compliance settings changed")
    CONFIGURATION_PROFILE_CREATED = (
        "configurationProfileCreated",
        _("Configuration profile created"),
    )
    CONFIGURATION_PROFILE_UPDATED = (
        "configurationProfileUpdated",
        _("Configuration profile changed"),
    )
    CONFIGURATION_PROFILE_DELETED = (
        "configurationProfileDeleted",
        _("Configuration profile deleted"),
    )
    CONFIGURATION_PROFILE_ASSIGNED = (
        "configurationProfileAssigned",
        _("Configuration profile assignments"),
    )
    # apps and app protection (apps)
    MOBILE_APP_CREATED = "mobileAppCreated", _("App created")
    MOBILE_APP_UPDATED = "mobileAppUpdated", _("App changed")
    MOBILE_APP_DELETED = "mobileAppDeleted", _("App deleted")
    MOBILE_APP_ASSIGNED = "mobileAppAssigned", _("App assigned")
    MOBILE_APP_ASSIGNMENT_UPDATED = "mobileAppAssignmentUpdated", _("App assignment changed")
    MOBILE_APP_UNASSIGNED = "mobileAppUnassigned", _("App assignment removed")
    APP_PROTECTION_CREATED = "appProtectionPolicyCreated", _("App protection policy created")
    APP_PROTECTION_UPDATED = "appProtectionPolicyUpdated", _("App protection policy changed")
    APP_PROTECTION_DELETED = "appProtectionPolicyDeleted", _("App protection policy deleted")
    APP_PROTECTION_ASSIGNED = "appProtectionPolicyAssigned", _("App protection policy assigned")
    APP_PROTECTION_UNASSIGNED = (
        "appProtectionPolicyUnassigned",
        _("App protection policy assignment removed"),
    )
    APP_REGISTRATION_CREATED = "appRegistrationCreated", _("Protected app registered")
    APP_WIPE_REQUESTED = "appWipeRequested", _("Selective wipe of app data requested")
    APP_WIPE_CANCELED = "appWipeCanceled", _("Selective wipe of app data canceled")
    APP_WIPE_REPORTED = "appWipeReported", _("Protected app reported its selective wipe")
