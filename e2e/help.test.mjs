// The help article: its sections open and close by click and by keyboard,
// follow the URL's fragment, show and hide all, print whole, and show what
// the server really sends (the countries, the deadline email).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, newPage, serverAndBrowser } from './helpers.mjs';

const app = serverAndBrowser();

function section(page, name) {
  return page.getByRole('region', { name });
}

test('each section toggles by click and by keyboard, and its words change', async () => {
  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto('/help/mfa');
  await page.getByRole('heading', { name: 'Set up two-factor authentication', level: 1 }).waitFor();
  for (const name of ['Authenticator app', 'Text message (SMS)']) {
    const toggle = section(page, name).getByRole('button');
    assert.equal(await toggle.textContent(), 'Show steps');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    const panel = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    assert.equal(await panel.isVisible(), false);
    await toggle.click();
    assert.equal(await toggle.textContent(), 'Hide steps');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(await panel.isVisible(), true);
    // By keyboard: Enter closes, Space opens.
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('Space');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  }
  assert.match(page.url(), /#sms$/, 'the open section is in the address');
  await audit(page, 'help, sections open');
  // Show all / Hide all.
  await page.getByRole('button', { name: 'Hide all steps' }).click();
  assert.equal(await section(page, 'Authenticator app').getByRole('button').getAttribute('aria-expanded'), 'false');
  await page.getByRole('button', { name: 'Show all steps' }).click();
  assert.equal(await section(page, 'Text message (SMS)').getByRole('button').getAttribute('aria-expanded'), 'true');
  // Printing shows every step, open or not.
  await page.getByRole('button', { name: 'Hide all steps' }).click();
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByText('Click Add Phone Number.').isVisible(), true);
  await page.emulateMedia({ media: 'screen' });
  assert.deepEqual(page.errors, []);
});

test('a link to a section opens it and brings it into view', async () => {
  const page = await newPage(app.browser, app.server.url);
  await page.setViewportSize({ width: 800, height: 500 });
  await page.goto('/help/mfa#sms');
  const sms = section(page, 'Text message (SMS)');
  await sms.getByRole('button', { name: 'Hide steps' }).waitFor();
  assert.equal(await section(page, 'Authenticator app').getByRole('button').textContent(), 'Show steps');
  await page.waitForFunction(() => {
    const r = document.getElementById('sms').getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight;
  });
  await page.goto('/help/mfa#authenticator-app');
  await section(page, 'Authenticator app').getByRole('button', { name: 'Hide steps' }).waitFor();
});

test('the countries and the email are the server\'s own, in French too', async () => {
  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto('/help/mfa');
  const rows = page.getByRole('table', { name: 'Countries where codes can be sent by text message' }).locator('tbody tr');
  await rows.first().waitFor();
  const shown = (await rows.allTextContents()).map((r) => r.replace(/\s+/g, ' ').trim());
  assert.equal(shown.length, 13);
  assert.ok(shown.includes('France+33'), shown.join(' | '));
  assert.ok(shown.includes('Hong Kong+852'));
  const email = await page.evaluate(async () => (await fetch('/api/help/deadline-email?lang=en')).json());
  await page.getByText(email.subject).waitFor();
  const example = (await page.locator('.email-example pre').textContent()).trim();
  assert.equal(example, email.text.trim());

  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('heading', { name: "Activer l'authentification à deux facteurs", level: 1 }).waitFor();
  await section(page, "Application d'authentification").getByRole('button', { name: 'Afficher les étapes' }).click();
  await section(page, "Application d'authentification").getByRole('button', { name: 'Masquer les étapes' }).waitFor();
  const fr = await page.evaluate(async () => (await fetch('/api/help/deadline-email?lang=fr')).json());
  await page.getByText(fr.subject).waitFor();
  await page.getByText('Allemagne').waitFor();
  await audit(page, 'help (fr)');
  assert.deepEqual(page.errors, []);
});
