// Polls the job's status JSON and moves the progress bar until the job ends, then reloads to show the results.
const box = document.querySelector(".job");
const bar = box.querySelector("progress");
const statusText = box.querySelector(".job-status");
const percentText = box.querySelector(".job-percent");
const POLL_MS = 1000;

async function poll() {
  try {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    const job = await response.json();
    bar.value = job.progress;
    percentText.textContent = job.progress;
    statusText.textContent = job.status;
    if (job.status === "succeeded" || job.status === "failed") {
      window.location.reload();
      return;
    }
  } catch (error) {
    statusText.textContent = "waiting for the server…";
  }
  setTimeout(poll, POLL_MS);
}

if (box.dataset.finished !== "true") {
  setTimeout(poll, POLL_MS);
}
