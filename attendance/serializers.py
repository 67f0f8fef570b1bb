from rest_framework import serializers


class CurrentSchoolSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    callback_secret = serializers.CharField(help_text="Verifies the HMAC-SHA256 signature of job callbacks.")
    api_key = serializers.SerializerMethodField()

    def get_api_key(self, school: object) -> dict[str, str]:
        api_key = self.context["api_key"]
        return {"prefix": api_key.prefix, "name": api_key.name}
