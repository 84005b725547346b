"""Portal pages of compliance policies and configuration profiles."""

from __future__ import annotations

from django.urls import path

from deskside.policies import views

app_name = "policies"

urlpatterns = [
    path("compliance/", views.compliance_list, name="compliance_list"),
    path("compliance/new/", views.compliance_create, name="compliance_create"),
    path("compliance/settings/", views.compliance_settings, name="compliance_settings"),
    path("compliance/<int:pk>/", views.compliance_detail, name="compliance_detail"),
    path("compliance/<int:pk>/edit/", views.compliance_edit, name="compliance_edit"),
    path("compliance/<int:pk>/delete/", views.compliance_delete, name="compliance_delete"),
    path("compliance/<int:pk>/assign/", views.compliance_assign, name="compliance_assign"),
    path("profiles/", views.profile_list, name="profile_list"),
    path("profiles/new/<str:profile_type>/", views.profile_create, name="profile_create"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/delete/", views.profile_delete, name="profile_delete"),
    path("profiles/<int:pk>/assign/", views.profile_assign, name="profile_assign"),
]
