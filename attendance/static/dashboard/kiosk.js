import { captureJpeg, postFrame, startCamera } from "./camera.js";

const panel = document.querySelector(".kiosk-panel");
const video = panel.querySelector("video");
const button = panel.querySelector("[data-action=check-in]");
const outcome = panel.querySelector(".outcome");
const RESET_AFTER_MS = 4000;
let resetTimer;

function show(message, kind) {
  outcome.textContent = message;
  outcome.className = `outcome ${kind}`;
  clearTimeout(resetTimer);
  resetTimer = setTimeout(() => { outcome.textContent = ""; outcome.className = "outcome"; }, RESET_AFTER_MS);
}

async function checkIn() {
  if (button.disabled) return;
  button.disabled = true;
  show("One moment…", "pending");
  try {
    const answer = await postFrame(panel.dataset.postUrl, await captureJpeg(video), panel);
    show(answer.message, answer.checked_in ? "success" : "error");
  } catch (error) {
    show("Something went wrong. Please try again.", "error");
  } finally {
    button.disabled = false;
  }
}

button.addEventListener("click", checkIn);
document.addEventListener("keydown", (event) => {
  if (event.code === "Space") {
    event.preventDefault();
    checkIn();
  }
});

startCamera(video)
  .then(() => { button.disabled = false; })
  .catch((error) => show(`The camera could not start: ${error.message}`, "error"));
