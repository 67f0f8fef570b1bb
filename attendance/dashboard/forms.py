"""Dashboard forms: they validate what a person typed; the services do the work."""

from django import forms

from attendance.models import AttendanceRecord, ClassSession, Student

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StudentForm(forms.ModelForm):
    class Meta:
        model = Student
        fields = ["name", "external_id", "group", "active"]
        labels = {"external_id": "School id"}


class SessionForm(forms.ModelForm):
    class Meta:
        model = ClassSession
        fields = ["course", "group", "room", "starts_at", "ends_at"]
        widgets = {"starts_at": DATETIME_LOCAL, "ends_at": DATETIME_LOCAL}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The session must end after it starts.")
        return data


class ImageForm(forms.Form):
    image = forms.FileField(label="Photo", widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class VideoForm(forms.Form):
    video = forms.FileField(label="Classroom video", widget=forms.ClearableFileInput(attrs={"accept": "video/*"}))
    sample_fps = forms.FloatField(
        label="Frames analysed per second", min_value=0.2, max_value=10, initial=2.0, required=False
    )


class CorrectionForm(forms.Form):
    status = forms.ChoiceField(choices=AttendanceRecord.Status.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, initial="default", help_text="What the key is for, e.g. 'kiosk app'.")
