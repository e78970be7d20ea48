import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { KNOWN_DATA_TYPES, isPortablePattern, parameterNotes } from '../../../ts/lib/restore/notes.js';
import { ArchiveProblems } from '../../../ts/lib/restore/validate.js';

/** The DataType list of PutParameterRequest in the installed @aws-sdk/client-ssm (its dist-types model files). */
function sdkDataTypes(): string[] {
  const pkg = path.dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-ssm/package.json'));
  const dir = path.join(pkg, 'dist-types', 'models');
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const start = text.indexOf('export interface PutParameterRequest');
    if (start < 0) continue;
    const body = text.slice(start, text.indexOf('\n}', start));
    const doc = body.slice(body.lastIndexOf('The following data type values are supported'), body.lastIndexOf('DataType?: string'));
    return [...doc.slice(0, doc.indexOf('</ul>')).matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]);
  }
  throw new Error('PutParameterRequest not found in @aws-sdk/client-ssm');
}

describe('what the engine notes and leaves to AWS (pure)', () => {
  const base = { Name: '/app/x', Type: 'String', Value: 'abc' };

  it('KNOWN_DATA_TYPES is the DataType list of the pinned @aws-sdk/client-ssm model', () => {
    const sdk = sdkDataTypes();
    expect(sdk).to.include.members(['text', 'aws:ec2:image', 'json']);
    expect([...KNOWN_DATA_TYPES]).to.deep.equal(sdk);
  });

  it('DataType: a documented one passes silently, an unknown one passes with a note naming it', () => {
    for (const DataType of ['text', 'json', 'integer', 'aws:region', 'jsonc']) expect(parameterNotes({ ...base, DataType }), DataType).to.deep.equal([]);
    expect(parameterNotes({ ...base, DataType: 'aws:future' })).to.deep.equal(['DataType "aws:future" is not one the SDK documents: AWS will judge']);
    expect(parameterNotes({ ...base, DataType: 'aws:ec2:image', Value: 'ami-0123456789abcdef0' })).to.deep.equal([]);
    expect(parameterNotes({ ...base, DataType: 'aws:ec2:image', Value: 'my-image' })[0]).to.match(/^DataType aws:ec2:image with a value that is not an AMI id/);
  });

  it('AllowedPattern: only a portable pattern found nowhere in a plain value is noted; Java dialect never', () => {
    for (const p of ['^\\d+$', '[a-z0-9_-]{3,8}', 'a|b', '^(foo|bar)\\.baz$', '\\w+']) expect(isPortablePattern(p), p).to.equal(true);
    for (const p of ['(?i)abc', '\\p{Alnum}+', '[[a-z]&&[^q]]', 'a*+', '\\s+', '\\bword', '(a)\\1', '(?=x)', '\\Qa.b\\E', '(unclosed', 'é+'])
      expect(isPortablePattern(p), p).to.equal(false);
    expect(parameterNotes({ ...base, Value: 'secret-abc', AllowedPattern: '^\\d+$' })).to.deep.equal([
      'Value does not appear to match AllowedPattern: AWS will judge',
    ]);
    // Matching part of the value is enough not to say anything (AWS may search rather than match the whole value).
    expect(parameterNotes({ ...base, Value: 'abc-123', AllowedPattern: '\\d+' })).to.deep.equal([]);
    expect(parameterNotes({ ...base, Value: 'ABC', AllowedPattern: '(?i)^[a-z]+$' })).to.deep.equal([]);
    expect(parameterNotes({ ...base, Value: 'line\n', AllowedPattern: '^\\d+$' })).to.deep.equal([]);
    for (const note of parameterNotes({ ...base, Value: 'secret-abc', AllowedPattern: '^\\d+$' })) expect(note).not.to.contain('secret');
  });

  it('reserved aws: tags, unknown tiers and policy types are noted', () => {
    const Tags = [
      { Key: 'team', Value: 'a' },
      { Key: 'aws:cloudformation:stack-name', Value: 's' },
    ];
    expect(parameterNotes({ ...base, Tags })).to.deep.equal(['reserved tag aws:cloudformation:stack-name (aws: prefix) not sent']);
    expect(parameterNotes({ ...base, Tier: 'Premium' })[0]).to.match(/^Tier "Premium" is not one the SDK documents/);
    expect(parameterNotes({ ...base, Policies: [{ PolicyText: '{"Type":"Future"}' }] })[0]).to.match(/^a policy of Type "Future"/);
  });

  it('ArchiveProblems keeps notes of accepted entries, bounded, apart from refusals', () => {
    const p = new ArchiveProblems(2);
    for (let i = 0; i < 3; i += 1) expect(p.rules({ ...base, Name: `/n${i}`, DataType: 'x-new' })).to.equal(true);
    expect(p.summary()).to.equal(undefined);
    expect(p.noteLines()).to.deep.equal([
      '/n0: DataType "x-new" is not one the SDK documents: AWS will judge',
      '/n1: DataType "x-new" is not one the SDK documents: AWS will judge',
      'and 1 more parameter(s) with notes',
    ]);
  });
});
