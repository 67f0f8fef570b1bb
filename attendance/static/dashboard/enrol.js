import { captureJpeg, postFrame, startCamera } from "./camera.js";

const panel = document.querySelector(".webcam");
const video = panel.querySelector("video");
const startButton = panel.querySelector("[data-action=start]");
const captureButton = panel.querySelector("[data-action=capture]");
const outcome = panel.querySelector(".outcome");

function show(message, ok) {
  outcome.textContent = message;
  outcome.className = `outcome message ${ok ? "success" : "error"}`;
}

startButton.addEventListener("click", async () => {
  try {
    await startCamera(video);
    captureButton.disabled = false;
    startButton.disabled = true;
  } catch (error) {
    show(`The camera could not start: ${error.message}`, false);
  }
});

captureButton.addEventListener("click", async () => {
  captureButton.disabled = true;
  show("Checking the face…", true);
  try {
    const answer = await postFrame(panel.dataset.postUrl, await captureJpeg(video), panel);
    show(answer.message, answer.enrolled);
    if (answer.enrolled) {
      setTimeout(() => window.location.reload(), 1200);
    }
  } catch (error) {
    show("The photo could not be sent. Check the connection and try again.", false);
  } finally {
    captureButton.disabled = false;
  }
});
