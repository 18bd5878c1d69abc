import { passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it.each([
    ['short1A!', /at least 12/],
    ['alllowercaseletters'.slice(0, 13), /mix three/],
    ['aaaaaaaaaaaaaaaaaaaa', /repeat/],
  ])('refuses %s', (pw, reason) => {
    expect(passwordProblem(pw)).toMatch(reason);
  });

  it.each(['Correct-Horse-9', 'a long passphrase of words', 'Abcdefgh1234'])('accepts %s', (pw) => {
    expect(passwordProblem(pw)).toBeNull();
  });
});
