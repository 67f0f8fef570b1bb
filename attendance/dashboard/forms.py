"""Dashboard forms: they validate what a person typed; the services do the work."""

from django import forms
from django.http import HttpRequest

from attendance.models import AttendanceRecord, ClassSession, Student
from faceapi.errors import ApiError
from faceapi.image_input import decode_upload
from ml_models.images import RGBImage

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


class MissingUpload(ApiError):
    code = "invalid_request"
    default_message = "Choose a file first."


def uploaded_image(request: HttpRequest, *, missing: str) -> RGBImage:
    """The posted ``image`` decoded within the limits; ``missing`` is what the page says when there is none."""
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        raise MissingUpload(missing)
    return decode_upload(form.cleaned_data["image"])
