// The webcam, shared by the enrolment page and the kiosk: start it, grab one JPEG frame, post it with the CSRF token.

export async function startCamera(video) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error("This browser cannot use a camera here (a secure https:// address is needed).");
  }
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  video.srcObject = stream;
  await video.play();
  return stream;
}

export function captureJpeg(video) {
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
}

export async function postFrame(url, blob, container) {
  const form = new FormData();
  form.append("image", blob, "webcam.jpg");
  const token = container.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch(url, {
    method: "POST",
    body: form,
    headers: { "X-CSRFToken": token, Accept: "application/json" },
    credentials: "same-origin",
  });
  return response.json();
}
