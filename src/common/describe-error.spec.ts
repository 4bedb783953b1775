import { describeError } from './describe-error';

describe('describeError', () => {
  it.each([
    [undefined, /without any details/],
    [null, /without any details/],
    ['', /without any details/],
    [new Error('connect ECONNREFUSED 127.0.0.1:1'), /^connect ECONNREFUSED 127\.0\.0\.1:1$/],
    [new TypeError('bad'), /^TypeError: bad$/],
    [new Error(''), /^Error \(no message\)$/],
    [{ message: 'from an object' }, /^from an object$/],
    [{ code: 'X' }, /^\{"code":"X"\}$/],
    [42, /^42$/],
  ])('%p reads as a sentence, never "undefined"', (err, expected) => {
    const text = describeError(err);
    expect(text).toMatch(expected);
    expect(text).not.toMatch(/^(undefined|null|\[object Object\])$/);
  });

  it('gives the stack when asked', () => {
    expect(describeError(new Error('boom'), { stack: true })).toMatch(/^Error: boom\n\s+at /);
  });
});
